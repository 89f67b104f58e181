namespace BrkCoin.Mining;

/// <summary>
/// The Redis keys of the original dockercoins, kept exactly so its tools still read our wallet.
/// Nothing else in BrkCoin spells a key.
/// </summary>
public static class WalletKeys
{
    /// <summary>String counter: total hashes computed by every worker (INCRBY).</summary>
    public const string Hashes = "hashes";

    /// <summary>Hash: field = 64-char lowercase hex SHA-256, value = the raw bytes that hash to it.</summary>
    public const string Wallet = "wallet";
}
