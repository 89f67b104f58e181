namespace BrkCoin.Mining;

/// <summary>
/// Counts the requests a service is working on right now, and the most it ever worked on at
/// once: how rng's one-at-a-time rule and hasher's concurrency can be seen from outside, without
/// timing anything.
/// </summary>
public sealed class InFlight
{
    private int _current;
    private int _most;

    public int Current => Volatile.Read(ref _current);

    public int Most => Volatile.Read(ref _most);

    /// <summary>Counts one request in until the returned handle is disposed.</summary>
    public Entry Enter()
    {
        var now = Interlocked.Increment(ref _current);
        int most;
        while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
        {
        }

        return new Entry(this);
    }

    public readonly struct Entry(InFlight owner) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref owner._current);
    }
}
