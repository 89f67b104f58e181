namespace BrkCoin.WebUi.Wallet;

/// <summary>
/// The wallet's totals for <c>/json</c>, read from Redis at most once per <see cref="MaxAge"/>:
/// requests that arrive while a read is under way share it, and a result younger than MaxAge
/// answers at once. Under 500 connections that is one Redis round trip per 100 ms instead of
/// thousands, and a reading is never older than a tenth of the original's one-second poll. Its
/// <c>now</c> is the moment of that read, so <c>hashes</c> and <c>now</c> stay a true pair and a
/// speed computed from two readings stays exact.
/// </summary>
public sealed class SharedTotals(Func<Task<WalletTotals>> read, TimeProvider clock)
{
    public SharedTotals(WalletReader reader, TimeProvider clock)
        : this(reader.ReadTotalsAsync, clock)
    {
    }

    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private Task<WalletTotals>? _latest;

    public Task<WalletTotals> ReadAsync()
    {
        lock (_gate)
        {
            var latest = _latest;
            if (latest is not null && (!latest.IsCompleted || (latest.IsCompletedSuccessfully && clock.GetUtcNow() - latest.Result.At < MaxAge)))
            {
                return latest;
            }

            // A failed read is not kept: the next request asks Redis again.
            _latest = read();
            return _latest;
        }
    }
}
