using System.Globalization;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace BrkCoin.Tests.Mining;

/// <summary>The worker's wallet against a real redis-server: the original keys, plus its own.</summary>
public sealed class RedisWalletTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task Counting_moves_the_shared_and_the_worker_counters_together_and_the_worker_key_expires()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=3");
        var db = connection.GetDatabase();
        var identity = Identity("service.instance.id=worker-abc");
        await db.KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.WorkerHashes(identity.Id), WalletKeys.LiveWorkers, WalletKeys.MiningSince]);
        var wallet = new RedisWallet(connection, identity);

        await wallet.AddHashesAsync(new FlushBatch(1, 7));
        await wallet.AddHashesAsync(new FlushBatch(2, 5));

        Assert.Equal(12, (long)await db.StringGetAsync(WalletKeys.Hashes));
        Assert.Equal(12, (long)await db.StringGetAsync(WalletKeys.WorkerHashes("worker-abc")));
        var ttl = await db.KeyTimeToLiveAsync(WalletKeys.WorkerHashes("worker-abc"));
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), WalletKeys.WorkerExpiry);
        Assert.NotNull(await db.SortedSetScoreAsync(WalletKeys.LiveWorkers, "worker-abc"));
        Assert.True((await db.StringGetAsync(WalletKeys.MiningSince)).HasValue);
    }

    [Fact]
    public async Task A_coin_is_stored_once_with_its_bytes_and_listed_once_among_the_latest()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=4");
        var db = connection.GetDatabase();
        await db.KeyDeleteAsync([WalletKeys.Wallet, WalletKeys.LatestCoins]);
        var wallet = new RedisWallet(connection, Identity(null));
        var bytes = new byte[] { 1, 2, 3 };
        var hash = "0" + new string('a', 63);

        Assert.True(await wallet.StoreCoinAsync(hash, bytes));
        // The same bytes again are a retry whose first attempt landed: still this worker's coin,
        // listed once. Other bytes under the same hash are the original's "We already had that coin".
        Assert.True(await wallet.StoreCoinAsync(hash, bytes));
        Assert.False(await wallet.StoreCoinAsync(hash, [4, 5, 6]));

        Assert.Equal(bytes, (byte[])(await db.HashGetAsync(WalletKeys.Wallet, hash))!);
        Assert.Equal(1, await db.ListLengthAsync(WalletKeys.LatestCoins));
        Assert.StartsWith(hash + " ", (await db.ListGetByIndexAsync(WalletKeys.LatestCoins, 0)).ToString());
    }

    [Fact]
    public async Task A_new_coin_goes_in_with_one_transaction_stamped_on_redis_clock_without_asking_it_each_time()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=8");
        var db = connection.GetDatabase();
        await db.KeyDeleteAsync([WalletKeys.Wallet, WalletKeys.LatestCoins]);
        var wallet = new RedisWallet(connection, Identity("service.instance.id=worker-one-trip"));
        var redisAtFlush = await RedisNowAsync(db);
        // A flush reads Redis's clock, as a running worker's does every second.
        await wallet.AddHashesAsync(new FlushBatch(1, 1));
        var before = await ServerCountsAsync(db);

        // More coins than the list keeps, so the trim shows too.
        const int coins = 30;
        for (var i = 0; i < coins; i++)
        {
            Assert.True(await wallet.StoreCoinAsync($"0{i:x8}".PadRight(64, 'c'), [(byte)i]));
        }

        var redisAfter = await RedisNowAsync(db);
        var after = await ServerCountsAsync(db);
        long Delta(string count) => after.GetValueOrDefault(count) - before.GetValueOrDefault(count);
        foreach (var command in (string[])["multi", "hsetnx", "lpush", "ltrim", "exec"])
        {
            Assert.Equal(coins, Delta(command));
        }

        Assert.Equal(0, Delta("lrem"));
        // This test's own reading after the coins, and at most one more should a slow machine take
        // over 5 s: never one per coin.
        Assert.InRange(Delta("time"), 1, 2);
        // One round trip per coin: redis-server reads each coin's commands from its socket at once
        // (HSETNX first and then the transaction would take two reads). Besides the coins: this
        // test's INFO and TIME.
        Assert.InRange(Delta("reads"), coins, coins * 3 / 2);

        // Each entry's stamp is Redis's time, carried forward from the flush's reading: never
        // before that reading, and not after Redis's time once the coins are in.
        var listed = await db.ListRangeAsync(WalletKeys.LatestCoins);
        Assert.Equal(WalletKeys.LatestCoinsKept, listed.Length);
        Assert.All(listed, entry => Assert.InRange(long.Parse(entry.ToString().Split(' ')[1], CultureInfo.InvariantCulture), redisAtFlush, redisAfter + 50));
    }

    [Fact]
    public async Task Workers_storing_coins_at_the_same_time_each_get_theirs_in_without_a_failure()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=7");
        var db = connection.GetDatabase();
        await db.KeyDeleteAsync([WalletKeys.Wallet, WalletKeys.LatestCoins]);
        const int workers = 8, coinsEach = 150;

        // Each worker its own connection, as separate processes have: their transactions interleave.
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            await using var own = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=7");
            var wallet = new RedisWallet(own, Identity($"service.instance.id=worker-{w}"));
            for (var i = 0; i < coinsEach; i++)
            {
                var hash = $"0{w:x}{i:x8}".PadRight(64, 'e');
                try
                {
                    Assert.True(await wallet.StoreCoinAsync(hash, [(byte)w, (byte)i]));
                }
                catch (RedisException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));

        Assert.Equal(0, failures);
        Assert.Equal(workers * coinsEach, await db.HashLengthAsync(WalletKeys.Wallet));
    }

    [Fact]
    public async Task A_batch_redis_did_not_apply_is_never_taken_as_counted()
    {
        Prerequisite.Require(redis.Missing);
        // A user whose GET is refused: the transaction's check of the mark fails without the mark
        // being this batch's, as when a restarted Redis answers LOADING. Reading that as "already
        // counted" would drop the batch; the wallet must say it was not applied.
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        await admin.GetServers()[0].ExecuteAsync("ACL", "SETUSER", "nogets", "on", ">nogets-pw", "~*", "&*", "+@all", "-get");
        await using var refused = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},user=nogets,password=nogets-pw,defaultDatabase=5");
        var db = admin.GetDatabase(5);
        var identity = Identity("service.instance.id=worker-refused");
        await db.KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.WorkerLastFlush(identity.Id)]);
        var wallet = new RedisWallet(refused, identity);

        await Assert.ThrowsAnyAsync<RedisException>(() => wallet.AddHashesAsync(new FlushBatch(1, 7)));

        Assert.Equal(0, (long)await db.StringGetAsync(WalletKeys.Hashes));
    }

    [Fact]
    public async Task A_worker_says_which_node_it_runs_on_when_its_deployment_tells_it()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=6");
        var db = connection.GetDatabase();
        var placed = Identity("service.instance.id=worker-placed", node: "node2");
        var unplaced = Identity("service.instance.id=worker-unplaced");
        await db.KeyDeleteAsync([WalletKeys.WorkerNode(placed.Id), WalletKeys.WorkerNode(unplaced.Id)]);

        await new RedisWallet(connection, placed).AddHashesAsync(new FlushBatch(1, 3));
        await new RedisWallet(connection, unplaced).AddHashesAsync(new FlushBatch(1, 3));

        Assert.Equal("node2", (string?)await db.StringGetAsync(WalletKeys.WorkerNode("worker-placed")));
        // It leaves with the worker, like the worker's own counter.
        Assert.InRange((await db.KeyTimeToLiveAsync(WalletKeys.WorkerNode("worker-placed")))!.Value, TimeSpan.FromSeconds(1), WalletKeys.WorkerExpiry);
        Assert.False(await db.KeyExistsAsync(WalletKeys.WorkerNode("worker-unplaced")));

        // And the page reads it beside each worker's speed.
        var listed = BrkCoin.WebUi.Dashboard.DashboardCalculator.Calculate([await new BrkCoin.WebUi.Wallet.WalletReader(connection, TimeProvider.System).ReadSampleAsync()]).Workers;
        Assert.Equal("node2", listed.Single(w => w.Id == "worker-placed").Node);
        Assert.Null(listed.Single(w => w.Id == "worker-unplaced").Node);
    }

    [Fact]
    public void A_worker_outside_aspire_is_named_by_host_and_process()
    {
        Assert.Equal($"{Environment.MachineName}-{Environment.ProcessId}", Identity(null).Id);
    }

    // Calls per command since redis-server started, from INFO commandstats ("cmdstat_exec:calls=3,..."),
    // and under "reads" the socket reads it has done (INFO stats' total_reads_processed).
    private static async Task<Dictionary<string, long>> ServerCountsAsync(IDatabase db)
    {
        var lines = (await db.ExecuteAsync("INFO", "all")).ToString().Split('\n', StringSplitOptions.TrimEntries);
        var counts = lines
            .Where(line => line.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(
                line => line["cmdstat_".Length..line.IndexOf(':')],
                line => long.Parse(line.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture));
        counts["reads"] = long.Parse(lines.Single(line => line.StartsWith("total_reads_processed:", StringComparison.Ordinal)).Split(':')[1], CultureInfo.InvariantCulture);
        return counts;
    }

    private static async Task<long> RedisNowAsync(IDatabase db)
    {
        var time = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
        return (long)time[0] * 1000 + (long)time[1] / 1000;
    }

    /// <summary>A worker identity as Aspire's OTEL_RESOURCE_ATTRIBUTES would give it.</summary>
    internal static WorkerIdentity Identity(string? resourceAttributes, string? node = null) =>
        new(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_RESOURCE_ATTRIBUTES"] = resourceAttributes, [WorkerIdentity.NodeSetting] = node })
            .Build());
}
