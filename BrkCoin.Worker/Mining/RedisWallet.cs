using System.Globalization;
using BrkCoin.Mining;
using StackExchange.Redis;

namespace BrkCoin.Worker.Mining;

/// <summary>The wallet in Redis, written with the keys of <see cref="WalletKeys"/>.</summary>
public sealed class RedisWallet(IConnectionMultiplexer redis, WorkerIdentity identity, TimeProvider clock) : IWallet
{
    public async Task<bool> StoreCoinAsync(string hexHash, byte[] randomBytes)
    {
        // One transaction: the coin and its "latest coins" entry are stored together or not at
        // all, so a retry after a failure never leaves one without the other.
        var transaction = redis.GetDatabase().CreateTransaction();
        // HSET answers 1 for a new field and 0 for one already there: the original's
        // "We already had that coin".
        var isNew = transaction.HashSetAsync(WalletKeys.Wallet, hexHash, randomBytes);
        _ = transaction.ListLeftPushAsync(WalletKeys.LatestCoins, $"{hexHash} {Now()}");
        _ = transaction.ListTrimAsync(WalletKeys.LatestCoins, 0, WalletKeys.LatestCoinsKept - 1);
        await Execute(transaction);
        return await isNew;
    }

    public async Task AddHashesAsync(long units)
    {
        var now = Now();
        var workerKey = WalletKeys.WorkerHashes(identity.Id);
        // One transaction: the shared counter and this worker's own move together, so the
        // per-worker speeds always add up to the total.
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.StringIncrementAsync(WalletKeys.Hashes, units);
        _ = transaction.StringIncrementAsync(workerKey, units);
        _ = transaction.KeyExpireAsync(workerKey, WalletKeys.WorkerExpiry);
        _ = transaction.SortedSetAddAsync(WalletKeys.LiveWorkers, identity.Id, now);
        // Workers that stopped reporting long ago leave the set; a live one re-adds itself each second.
        _ = transaction.SortedSetRemoveRangeByScoreAsync(WalletKeys.LiveWorkers, double.NegativeInfinity, now - WalletKeys.WorkerExpiry.TotalMilliseconds);
        _ = transaction.StringSetAsync(WalletKeys.MiningSince, now.ToString(CultureInfo.InvariantCulture), when: When.NotExists);
        await Execute(transaction);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static async Task Execute(ITransaction transaction)
    {
        if (!await transaction.ExecuteAsync())
        {
            throw new RedisException("The wallet transaction was not applied.");
        }
    }
}
