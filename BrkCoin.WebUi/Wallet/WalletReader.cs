using BrkCoin.Mining;
using StackExchange.Redis;

namespace BrkCoin.WebUi.Wallet;

/// <summary>Reads the wallet's totals from Redis with the original's keys.</summary>
public sealed class WalletReader(IConnectionMultiplexer redis, TimeProvider clock)
{
    public async Task<WalletTotals> ReadTotalsAsync()
    {
        var db = redis.GetDatabase();
        // Both reads go out together, so the pair is as close to one instant as Redis allows.
        var coins = db.HashLengthAsync(WalletKeys.Wallet);
        var hashes = db.StringGetAsync(WalletKeys.Hashes);
        await Task.WhenAll(coins, hashes);

        return new WalletTotals(await coins, ParseCounter(await hashes), clock.GetUtcNow());
    }

    // INCRBY keeps "hashes" an integer; a missing key means nothing was mined yet.
    private static long ParseCounter(RedisValue value) =>
        value.IsNullOrEmpty ? 0 : (long)value;
}
