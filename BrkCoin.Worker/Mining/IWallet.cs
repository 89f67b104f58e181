namespace BrkCoin.Worker.Mining;

/// <summary>Where the miner keeps what it finds and counts.</summary>
public interface IWallet
{
    /// <summary>Stores a coin; false when the wallet already held it.</summary>
    Task<bool> StoreCoinAsync(string hexHash, byte[] randomBytes);

    /// <summary>
    /// Adds a batch of units to the shared hash counter and to this worker's own, and tells the
    /// wallet this worker is alive (also with zero units). Applies each batch once: a batch sent
    /// again after a lost reply changes nothing.
    /// </summary>
    Task AddHashesAsync(FlushBatch batch);
}
