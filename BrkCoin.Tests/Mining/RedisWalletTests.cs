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
        // A flush reads Redis's clock, as a running worker's does every second.
        await wallet.AddHashesAsync(new FlushBatch(1, 1));
        var before = await CommandCallsAsync(db);
        var redisBefore = await RedisNowAsync(db);

        const int coins = 20;
        for (var i = 0; i < coins; i++)
        {
            Assert.True(await wallet.StoreCoinAsync($"0{i:x8}".PadRight(64, 'c'), [(byte)i]));
        }

        var redisAfter = await RedisNowAsync(db);
        var after = await CommandCallsAsync(db);
        long Calls(string command) => after.GetValueOrDefault(command) - before.GetValueOrDefault(command);
        Assert.Equal(coins, Calls("exec"));
        Assert.Equal(coins, Calls("hsetnx"));
        Assert.Equal(2, Calls("time")); // this test's own two readings: the coins asked for none
        Assert.Equal(0, Calls("lrem"));

        // Each entry's stamp is Redis's time when it was stored, carried forward from the flush's reading.
        var listed = await db.ListRangeAsync(WalletKeys.LatestCoins);
        Assert.Equal(coins, listed.Length);
        Assert.All(listed, entry => Assert.InRange(long.Parse(entry.ToString().Split(' ')[1], CultureInfo.InvariantCulture), redisBefore - 50, redisAfter + 50));
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

    // Calls per command since redis-server started, from INFO commandstats ("cmdstat_exec:calls=3,...").
    private static async Task<Dictionary<string, long>> CommandCallsAsync(IDatabase db) =>
        (await db.ExecuteAsync("INFO", "commandstats")).ToString()
            .Split('\n', StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(
                line => line["cmdstat_".Length..line.IndexOf(':')],
                line => long.Parse(line.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture));

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
