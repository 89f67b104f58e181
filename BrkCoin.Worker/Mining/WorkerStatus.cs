namespace BrkCoin.Worker.Mining;

/// <summary>
/// What keeps this worker from mining right now, in words a trainer can read on the page
/// ("waiting for rng, retry in 4 s"), or nothing while all is well. The mining retry reports a
/// failing step; the step's next success clears it; a report also lapses by itself shortly after
/// its retry was due, so a stale one never outlives the problem.
/// </summary>
public sealed class WorkerStatus(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private string? _step;
    private string? _text;
    private DateTimeOffset _until;
    private string? _refusal;
    private string? _refusingStep;

    /// <summary>
    /// A refusal no retry can fix (rng or hasher answering 4xx: the settings disagree), or null.
    /// It stays until the step succeeds again, and makes the worker unhealthy.
    /// </summary>
    public string? Refusal
    {
        get
        {
            lock (_gate)
            {
                return _refusal;
            }
        }
    }

    /// <summary>The current problem, or null.</summary>
    public string? Problem
    {
        get
        {
            lock (_gate)
            {
                return _refusal ?? (_text is not null && clock.GetUtcNow() < _until ? _text : null);
            }
        }
    }

    public void Failing(string step, TimeSpan retryIn, string reason) =>
        Hold(step, retryIn, $"waiting for {step}, retry in {Seconds(retryIn)} s: {reason}");

    /// <summary>
    /// The wallet refuses writes for memory: said as "wallet full: …" (the reason's own words)
    /// rather than "waiting for the wallet", which reads as an outage, while <paramref name="step"/> retries.
    /// </summary>
    public void WalletFull(string step, TimeSpan retryIn, string reason) =>
        Hold(step, retryIn, $"{reason}; retry in {Seconds(retryIn)} s");

    public void Refused(string step, string reason)
    {
        lock (_gate)
        {
            _refusingStep = step;
            _refusal = $"{step} refuses this worker's requests: {reason}";
        }
    }

    private void Hold(string step, TimeSpan retryIn, string text)
    {
        lock (_gate)
        {
            _step = step;
            _text = text;
            _until = clock.GetUtcNow() + retryIn + TimeSpan.FromSeconds(3);
        }
    }

    private static int Seconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds));

    public void Succeeded(string step)
    {
        lock (_gate)
        {
            if (_refusingStep == step)
            {
                _refusingStep = null;
                _refusal = null;
            }

            if (_step == step)
            {
                _step = null;
                _text = null;
            }
        }
    }
}
