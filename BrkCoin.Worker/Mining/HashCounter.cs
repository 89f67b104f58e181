namespace BrkCoin.Worker.Mining;

/// <summary>
/// Units of work done but not yet added to the shared <c>hashes</c> counter. A failed flush puts
/// its units back, so the original's loss of uncounted units on an error cannot happen here.
/// </summary>
public sealed class HashCounter(IWallet wallet, ILogger<HashCounter> logger)
{
    private long _pending;

    /// <summary>Units counted locally and not yet flushed.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public void Record() => Interlocked.Increment(ref _pending);

    /// <summary>
    /// Adds every pending unit to <c>hashes</c> (zero units still report this worker alive); on
    /// failure they stay pending and the error is thrown.
    /// </summary>
    public async Task FlushAsync()
    {
        var units = Interlocked.Exchange(ref _pending, 0);
        try
        {
            await wallet.AddHashesAsync(units);
        }
        catch
        {
            Interlocked.Add(ref _pending, units);
            throw;
        }

        if (units > 0)
        {
            logger.LogInformation("{Units} units of work done, updating hash counter", units);
        }
    }
}
