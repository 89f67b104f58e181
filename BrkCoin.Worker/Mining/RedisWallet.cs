using System.Collections.Concurrent;
using System.Globalization;
using BrkCoin.Mining;
using BrkCoin.Worker.Clients;
using StackExchange.Redis;

namespace BrkCoin.Worker.Mining;

/// <summary>The wallet in Redis, written with the keys of <see cref="WalletKeys"/>.</summary>
public sealed class RedisWallet(IConnectionMultiplexer redis, WorkerIdentity identity, WorkerStatus? status = null, CallTimings? timings = null, ReplicaSightings? sightings = null) : IWallet
{
    // Tells this process's batches from those of an earlier process with the same worker id
    // (a restarted container keeps its host name and PID 1), whose numbers started at 1 too.
    private readonly string _processToken = Guid.NewGuid().ToString("N");
    private readonly WalletClock _clock = new();
    // Coins whose first attempt went out and whose fate is not yet known to this worker, with the
    // "latest coins" entry that attempt pushed: their next attempts take the careful path, which
    // takes that entry back if the coin proves not to be this worker's find. Each mining loop has
    // at most one coin in the air; one whose loop gave up at its stop stays here.
    private readonly ConcurrentDictionary<string, string> _unsettled = new(StringComparer.Ordinal);

    public Task<bool> StoreCoinAsync(string hexHash, byte[] randomBytes) =>
        SayingWhenFullAsync(
            () => StoreCoinOnceAsync(hexHash, randomBytes),
            $"wallet full: Redis refuses coin {hexHash[..8]}... at its maxmemory; this worker holds it, and its counted units, until there is room");

    private async Task<bool> StoreCoinOnceAsync(string hexHash, byte[] randomBytes)
    {
        var db = redis.GetDatabase();
        if (!_unsettled.TryGetValue(hexHash, out var pushed))
        {
            if (await StoreNewCoinAsync(db, hexHash, randomBytes))
            {
                return true;
            }

            pushed = null;
        }

        var settled = await SettleCoinAsync(db, hexHash, randomBytes, pushed);
        _unsettled.TryRemove(hexHash, out _);
        return settled;
    }

    // A coin's first attempt: stored and listed in one transaction, one round trip and, on the
    // embedded wallet, one commit. False when the hash was in the wallet already: its entry is
    // taken back, and the careful path judges the coin. If the attempt fails, what landed is
    // unknown, and the coin's next attempts settle it.
    private async Task<bool> StoreNewCoinAsync(IDatabase db, string hexHash, byte[] randomBytes)
    {
        var entry = $"{hexHash} {await _clock.StampAsync(db)}";
        var transaction = db.CreateTransaction();
        var stored = transaction.HashSetAsync(WalletKeys.Wallet, hexHash, randomBytes, When.NotExists);
        _ = transaction.ListLeftPushAsync(WalletKeys.LatestCoins, entry);
        _ = transaction.ListTrimAsync(WalletKeys.LatestCoins, 0, WalletKeys.LatestCoinsKept - 1);
        _unsettled[hexHash] = entry;
        await ExecuteAsync(transaction);
        var isNew = await stored;
        if (!isNew)
        {
            // Not a find of this attempt, so not listed as one. (The trim may have dropped the
            // oldest entry meanwhile: the list is one short until the next coin.)
            await db.ListRemoveAsync(WalletKeys.LatestCoins, entry, 1);
        }

        _unsettled.TryRemove(hexHash, out _);
        return isNew;
    }

    // A coin whose first attempt failed or found its hash stored: stored if it is not, judged by
    // the bytes if it is, and listed among the latest once. `pushed` is the entry a failed first
    // attempt may have listed; it is taken back if the coin is not this worker's.
    private async Task<bool> SettleCoinAsync(IDatabase db, string hexHash, byte[] randomBytes, string? pushed)
    {
        // HSETNX, not a transaction WATCHing the wallet: a WATCH on the wallet is broken by every
        // other worker's coin landing in between, which with many coins a second (throughput
        // mode) made stores fail over and over and the page show "waiting for the wallet".
        if (!await db.HashSetAsync(WalletKeys.Wallet, hexHash, randomBytes, When.NotExists))
        {
            // Already there. These very bytes: an earlier attempt of this store landed and only
            // its reply was lost, so the coin is this worker's find (and its "latest coins" entry
            // may still be missing). Other bytes: the original's "We already had that coin".
            var stored = await db.HashGetAsync(WalletKeys.Wallet, hexHash);
            if (stored.IsNull)
            {
                // Gone between the two commands (someone emptied the wallet): not stored, it goes again.
                throw new RedisException($"The coin {hexHash[..8]}... was not stored; it will be sent again.");
            }

            if (!((byte[])stored!).AsSpan().SequenceEqual(randomBytes))
            {
                if (pushed is not null)
                {
                    await db.ListRemoveAsync(WalletKeys.LatestCoins, pushed, 1);
                }

                return false;
            }

            var listed = await db.ListRangeAsync(WalletKeys.LatestCoins, 0, WalletKeys.LatestCoinsKept - 1);
            if (listed.Any(entry => entry.ToString().StartsWith(hexHash, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        // The coin is in the wallet; now its entry among the latest, pushed and trimmed together.
        // Should this fail, the retry finds the coin stored with these bytes and lists it then, as
        // the newest even if newer coins were listed meanwhile: the list shows recent finds, the
        // wallet is the record.
        var now = await _clock.StampAsync(db);
        var transaction = db.CreateTransaction();
        _ = transaction.ListLeftPushAsync(WalletKeys.LatestCoins, $"{hexHash} {now}");
        _ = transaction.ListTrimAsync(WalletKeys.LatestCoins, 0, WalletKeys.LatestCoinsKept - 1);
        await ExecuteAsync(transaction);
        return true;
    }

    public Task AddHashesAsync(FlushBatch batch) =>
        SayingWhenFullAsync(
            async () => { await AddHashesOnceAsync(batch); return true; },
            $"wallet full: Redis refuses counter batch {batch.Sequence} ({batch.Units} units) at its maxmemory; the units stay pending and go again until there is room");

    private async Task AddHashesOnceAsync(FlushBatch batch)
    {
        var now = await _clock.ReadAsync(redis.GetDatabase());
        var workerKey = WalletKeys.WorkerHashes(identity.Id);
        var flushedKey = WalletKeys.WorkerLastFlush(identity.Id);
        var mark = $"{_processToken}:{batch.Sequence.ToString(CultureInfo.InvariantCulture)}";
        // One transaction: the shared counter and this worker's own move together, so the
        // per-worker speeds always add up to the total. Batches go out one at a time, each
        // retried until it is known to be applied, so the last mark is either this batch's (it
        // was applied and only the reply was lost) or the one before: WATCH on the mark makes
        // INCRBY exactly-once, on Redis and Garnet alike.
        var transaction = redis.GetDatabase().CreateTransaction();
        transaction.AddCondition(Condition.StringNotEqual(flushedKey, mark));
        _ = transaction.StringIncrementAsync(WalletKeys.Hashes, batch.Units);
        _ = transaction.StringIncrementAsync(workerKey, batch.Units);
        // Without an expiry: while this batch's fate is unknown to the worker, only its next
        // attempt may judge it by the mark, however long that takes (a wallet full for days).
        _ = transaction.StringSetAsync(flushedKey, mark);
        _ = transaction.KeyExpireAsync(workerKey, WalletKeys.WorkerExpiry);
        _ = transaction.SortedSetAddAsync(WalletKeys.LiveWorkers, identity.Id, now);
        // Workers that stopped reporting long ago leave the set; a live one re-adds itself each second.
        _ = transaction.SortedSetRemoveRangeByScoreAsync(WalletKeys.LiveWorkers, double.NegativeInfinity, now - WalletKeys.WorkerExpiry.TotalMilliseconds);
        _ = transaction.StringSetAsync(WalletKeys.MiningSince, now.ToString(CultureInfo.InvariantCulture), when: When.NotExists);
        if (batch.Units > 0)
        {
            // Starts a run if none is going on, and keeps the current one going.
            _ = transaction.StringSetAsync(WalletKeys.RunSince, now.ToString(CultureInfo.InvariantCulture), WalletKeys.RunGap, When.NotExists);
            _ = transaction.KeyExpireAsync(WalletKeys.RunSince, WalletKeys.RunGap);
        }

        // What keeps this worker from mining, beside its speed, for the page's worker list.
        if (status?.Problem is { } problem)
        {
            _ = transaction.StringSetAsync(WalletKeys.WorkerState(identity.Id), problem, WalletKeys.WorkerExpiry);
        }
        else
        {
            _ = transaction.KeyDeleteAsync(WalletKeys.WorkerState(identity.Id));
        }

        // Where it runs, so the page shows the spread over the nodes and a move after a drain.
        if (identity.Node is { } node)
        {
            _ = transaction.StringSetAsync(WalletKeys.WorkerNode(identity.Id), node, WalletKeys.WorkerExpiry);
        }

        if (timings is not null)
        {
            _ = transaction.StringSetAsync(WalletKeys.WorkerLatency(identity.Id), timings.Report(), WalletKeys.WorkerExpiry);
        }

        // What it saw of the cluster, for the page's cluster view and the workshop's model.
        if (sightings is not null)
        {
            _ = transaction.StringSetAsync(WalletKeys.WorkerReplicas(identity.Id), sightings.Report().Encode(), WalletKeys.WorkerExpiry);
        }

        if (!await ExecuteAsync(transaction))
        {
            // Not applied: either the mark is already this batch's (it was counted before and
            // only the reply was lost), or Redis refused the check itself — after a restart it
            // answers "LOADING" while it replays its append-only file, which also reads as "not
            // applied". Only the mark tells the two apart; a batch not yet counted goes again.
            // (Reading `false` as "counted" once lost 1,058 units in the fault-injection test.)
            var current = await redis.GetDatabase().StringGetAsync(flushedKey);
            if (current != mark)
            {
                throw new RedisException($"The counter batch {batch.Sequence} was not applied; it will be sent again.");
            }
        }

        // The worker now knows this batch is in, and never sends it again: from here the mark
        // only has to outlive a stopped worker for a while. Fire and forget, on the connection the
        // next batch's transaction takes after it, which sets its own mark without an expiry again.
        // (EXPIRE is not refused by a full wallet.)
        _ = redis.GetDatabase().KeyExpireAsync(flushedKey, WalletKeys.LastFlushExpiry, CommandFlags.FireAndForget);
    }

    private async Task<T> SayingWhenFullAsync<T>(Func<Task<T>> write, string whenFull)
    {
        try
        {
            return await write();
        }
        catch (RedisServerException refusal)
        {
            if (await IsFullAsync(refusal))
            {
                throw new WalletFullException(whenFull, refusal);
            }

            throw;
        }
    }

    // A command refused for memory says so ("OOM …"); a transaction with one says only
    // "EXECABORT … previous errors", so then Redis is asked whether it is at its maxmemory.
    private async Task<bool> IsFullAsync(RedisServerException refusal)
    {
        if (WalletFull.IsRefusal(refusal.Message))
        {
            return true;
        }

        if (!refusal.Message.StartsWith("EXECABORT", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var info = await redis.GetDatabase().ExecuteAsync("INFO", "memory");
            return WalletMemoryUse.Parse(info.ToString())?.IsFull == true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    // StackExchange.Redis can leave a conditional transaction's task pending for good when its
    // connection dies between the WATCH check and EXEC (seen through a proxy that cuts replies):
    // the mining loop, and with it the worker's stop, would wait forever. Past twice the client's
    // own timeout the outcome is unknown, as after any lost reply, and the caller's retry settles
    // it: the flush mark or the stored bytes tell what landed.
    private Task<bool> ExecuteAsync(ITransaction transaction) =>
        transaction.ExecuteAsync().WaitAsync(TimeSpan.FromMilliseconds(2.0 * redis.TimeoutMilliseconds));
}
