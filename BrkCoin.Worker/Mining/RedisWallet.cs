using BrkCoin.Mining;
using StackExchange.Redis;

namespace BrkCoin.Worker.Mining;

/// <summary>The wallet in Redis, written with the original's keys (see <see cref="WalletKeys"/>).</summary>
public sealed class RedisWallet(IConnectionMultiplexer redis) : IWallet
{
    // HSET answers 1 for a new field and 0 for one already there: the original's
    // "We already had that coin".
    public Task<bool> StoreCoinAsync(string hexHash, byte[] randomBytes) =>
        redis.GetDatabase().HashSetAsync(WalletKeys.Wallet, hexHash, randomBytes);

    public Task AddHashesAsync(long units) =>
        redis.GetDatabase().StringIncrementAsync(WalletKeys.Hashes, units);
}
