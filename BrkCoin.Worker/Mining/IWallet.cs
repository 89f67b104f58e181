namespace BrkCoin.Worker.Mining;

/// <summary>Where the miner keeps what it finds and counts.</summary>
public interface IWallet
{
    /// <summary>
    /// Stores a coin. True when the wallet holds it with these bytes, stored now or by an earlier
    /// attempt whose reply was lost; false when it already held the hash from other bytes.
    /// </summary>
    Task<bool> StoreCoinAsync(string hexHash, byte[] randomBytes);

    /// <summary>
    /// Adds a batch of units to the shared hash counter and to this worker's own, and tells the
    /// wallet this worker is alive (also with zero units). Applies each batch once: a batch sent
    /// again after a lost reply changes nothing.
    /// </summary>
    Task AddHashesAsync(FlushBatch batch);
}
