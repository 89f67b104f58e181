namespace BrkCoin.Worker.Mining;

/// <summary>
/// Units of work done but not yet added to the shared <c>hashes</c> counter. A flush that fails
/// keeps its batch and sends that same batch again next time, so no unit is lost (the original
/// dropped them on an error) and, since the wallet applies each batch once, none is counted twice.
/// </summary>
public sealed class HashCounter(IWallet wallet, ILogger<HashCounter> logger)
{
    // One flush at a time: the wallet's exactly-once check relies on batches going out in order.
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private long _pending;
    private long _recorded;
    private long _sequence;
    private FlushBatch? _unconfirmed;

    /// <summary>Units counted locally and not yet known to be in <c>hashes</c>.</summary>
    public long Pending => Interlocked.Read(ref _pending) + (Volatile.Read(ref _unconfirmed)?.Units ?? 0);

    /// <summary>Units done since this process started, flushed or not.</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    public void Record()
    {
        Interlocked.Increment(ref _recorded);
        Interlocked.Increment(ref _pending);
    }

    /// <summary>
    /// Adds every pending unit to <c>hashes</c> (zero units still report this worker alive). On
    /// failure the batch is kept for the next flush and the error is thrown.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            // A batch whose fate is unknown goes again, unchanged; units done since wait for the next one.
            var batch = _unconfirmed ?? new FlushBatch(++_sequence, Interlocked.Exchange(ref _pending, 0));
            Volatile.Write(ref _unconfirmed, batch);
            await wallet.AddHashesAsync(batch);
            Volatile.Write(ref _unconfirmed, null);

            if (batch.Units > 0)
            {
                logger.LogInformation("{Units} units of work done, updating hash counter", batch.Units);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }
}
