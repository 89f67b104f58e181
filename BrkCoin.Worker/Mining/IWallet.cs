namespace BrkCoin.Worker.Mining;

/// <summary>Where the miner keeps what it finds and counts.</summary>
public interface IWallet
{
    /// <summary>Stores a coin; false when the wallet already held it.</summary>
    Task<bool> StoreCoinAsync(string hexHash, byte[] randomBytes);

    /// <summary>
    /// Adds units of work to the shared hash counter and to this worker's own, and tells the
    /// wallet this worker is alive (also with zero units).
    /// </summary>
    Task AddHashesAsync(long units);
}
