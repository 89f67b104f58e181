namespace BrkCoin.WebUi.Wallet;

/// <summary>The wallet's two totals at one instant.</summary>
/// <param name="Coins">Coins in the wallet (HLEN wallet).</param>
/// <param name="Hashes">Hashes computed by every worker (GET hashes).</param>
/// <param name="At">When they were read.</param>
public sealed record WalletTotals(long Coins, long Hashes, DateTimeOffset At);
