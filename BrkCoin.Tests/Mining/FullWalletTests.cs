using System.Globalization;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BrkCoin.Tests.Mining;

/// <summary>
/// The worker against a real redis-server whose <c>maxmemory</c> the test sets small, with
/// <c>noeviction</c> as the deployed wallet has it: a full wallet refuses writes, the worker keeps
/// what it has, says why, counts nothing twice, and everything once there is room again.
/// </summary>
public sealed class FullWalletTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Mining_into_a_full_wallet_keeps_the_units_pending_says_why_and_counts_each_once_when_there_is_room()
    {
        await using var audit = await EmptyWalletAsync();
        var identity = RedisWalletTests.Identity($"service.instance.id=worker-{Guid.NewGuid():N}");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var miner = new MinerHarness(
            options =>
            {
                options.Loops = 2;
                options.CounterInterval = TimeSpan.FromMilliseconds(50);
                options.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
            },
            services => new RedisWallet(connection, identity, services.GetRequiredService<WorkerStatus>()));
        try
        {
            await miner.Miner.StartAsync(Cancel);
            await Eventually.ReturnsAsync(() => HashesAsync(audit), n => n > 1000, TimeSpan.FromSeconds(30), "mining to start");

            // Room for a few hundred more coins, which the miner fills by itself.
            var used = await UsedMemoryAsync(audit);
            await SetMaxMemoryAsync(audit, used + 64 * 1024);
            await Eventually.ReturnsAsync(() => Task.FromResult(miner.Status.Problem), p => p?.StartsWith("wallet full: ", StringComparison.Ordinal) == true,
                TimeSpan.FromSeconds(60), "the worker to say the wallet is full");

            // Full, for a while: the counter refused again and again, and nothing of it counted.
            var atFull = await HashesAsync(audit);
            var coinsAtFull = await audit.GetDatabase().HashLengthAsync(WalletKeys.Wallet);
            var refusalsSoFar = CounterRefusals(miner);
            await Eventually.ReturnsAsync(() => Task.FromResult(CounterRefusals(miner)), n => n >= refusalsSoFar + 5,
                TimeSpan.FromSeconds(30), "five more counter flushes refused");
            Assert.Equal(atFull, await HashesAsync(audit));
            Assert.Equal(coinsAtFull, await audit.GetDatabase().HashLengthAsync(WalletKeys.Wallet));
            Assert.True(miner.Counter.Pending > 0);
            Assert.Contains(miner.Logs.Lines, line => line.Contains("units: wallet full: Redis refuses counter batch", StringComparison.Ordinal));
            Assert.Contains(miner.Logs.Lines, line => line.Contains("wallet full: Redis refuses coin", StringComparison.Ordinal));
            // No restart loop: Redis answers its health command, and the worker's /health check is healthy.
            Assert.Equal("PONG", (await audit.GetDatabase().ExecuteAsync("PING")).ToString());
            var health = await new MiningHealthCheck(miner.Status).CheckHealthAsync(new HealthCheckContext(), Cancel);
            Assert.Equal(HealthStatus.Healthy, health.Status);
            var pendingWhileFull = miner.Counter.Pending;

            // Room again: everything kept goes in, each unit once.
            await SetMaxMemoryAsync(audit, 0);
            await Eventually.ReturnsAsync(() => HashesAsync(audit), n => n > atFull + pendingWhileFull, TimeSpan.FromSeconds(30), "the kept units to be counted");
            await miner.Miner.StopAsync(Cancel);

            var (hashes, own) = await CountersAsync(audit, identity);
            TestContext.Current.SendDiagnosticMessage(
                $"full wallet: {pendingWhileFull} units pending while full, {miner.Counter.Recorded} units done, hashes {hashes}, {CounterRefusals(miner)} counter flushes refused");
            Assert.Equal(miner.Counter.Recorded, hashes);
            Assert.Equal(miner.Counter.Recorded, own);
            Assert.Equal(0, miner.Counter.Pending);
            var found = miner.Hasher.Answered.Where(CoinRule.IsCoin).Distinct().Order(StringComparer.Ordinal).ToList();
            var wallet = (await audit.GetDatabase().HashKeysAsync(WalletKeys.Wallet)).Select(coin => coin.ToString()).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(found, wallet);
        }
        finally
        {
            await SetMaxMemoryAsync(audit, 0);
        }
    }

    [Fact]
    public async Task A_batch_whose_reply_was_lost_counts_once_however_long_the_wallet_stays_full()
    {
        await using var audit = await EmptyWalletAsync();
        await using var proxy = new ReplyLosingProxy(redis.Port);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(proxy.ConnectionString);
        var identity = RedisWalletTests.Identity($"service.instance.id=worker-{Guid.NewGuid():N}");
        var counter = new HashCounter(new RedisWallet(connection, identity), NullLogger<HashCounter>.Instance);
        var mark = WalletKeys.WorkerLastFlush(identity.Id);
        try
        {
            RecordUnits(counter, 10);
            proxy.LoseNextTransactionReplies(1);
            await Assert.ThrowsAnyAsync<Exception>(() => counter.FlushAsync(Cancel));
            // Applied, and the worker does not know it: its mark has no expiry, so no clock can
            // take it away before the batch is sent again, however late that is.
            Assert.Equal(10, await HashesAsync(audit));
            Assert.Equal(TimeSpan.MinValue, await TimeToLiveAsync(audit, mark));

            await SetMaxMemoryAsync(audit, 1);
            RecordUnits(counter, 5);
            // The lost batch again, into a full wallet: the mark says it is in, nothing is written.
            await counter.FlushAsync(Cancel);
            Assert.Equal(10, await HashesAsync(audit));
            // Now known to be in: only then does the mark get its day.
            await Eventually.ReturnsAsync(() => TimeToLiveAsync(audit, mark), ttl => ttl > TimeSpan.Zero, TimeSpan.FromSeconds(10), "the confirmed mark to get an expiry");

            // The next batch, refused as long as the wallet is full, its reply lost once on the way.
            proxy.LoseNextTransactionReplies(1);
            await Assert.ThrowsAnyAsync<Exception>(() => counter.FlushAsync(Cancel));
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var full = await Assert.ThrowsAsync<WalletFullException>(() => counter.FlushAsync(Cancel));
                Assert.StartsWith("wallet full: ", full.Message, StringComparison.Ordinal);
            }

            Assert.Equal(10, await HashesAsync(audit));
            Assert.Equal(5, counter.Pending);

            await SetMaxMemoryAsync(audit, 0);
            await counter.FlushAsync(Cancel);
            await counter.FlushAsync(Cancel);
            var (hashes, own) = await CountersAsync(audit, identity);
            Assert.Equal(15, hashes);
            Assert.Equal(15, own);
            Assert.Equal(0, counter.Pending);
        }
        finally
        {
            await SetMaxMemoryAsync(audit, 0);
        }
    }

    private async Task<ConnectionMultiplexer> EmptyWalletAsync()
    {
        Prerequisite.Require(redis.Missing);
        var audit = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        await audit.GetDatabase().ExecuteAsync("FLUSHALL");
        await audit.GetDatabase().ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "noeviction");
        return audit;
    }

    private static int CounterRefusals(MinerHarness miner) =>
        miner.Logs.Lines.Count(line => line.Contains("Could not update the hash counter", StringComparison.Ordinal) && line.Contains("wallet full", StringComparison.Ordinal));

    private static async Task SetMaxMemoryAsync(ConnectionMultiplexer audit, long bytes) =>
        await audit.GetDatabase().ExecuteAsync("CONFIG", "SET", "maxmemory", bytes.ToString(CultureInfo.InvariantCulture));

    private static async Task<long> UsedMemoryAsync(ConnectionMultiplexer audit) =>
        WalletMemoryUse.Parse((await audit.GetDatabase().ExecuteAsync("INFO", "memory")).ToString())!.UsedBytes;

    private static async Task<long> HashesAsync(ConnectionMultiplexer audit) =>
        (long)await audit.GetDatabase().StringGetAsync(WalletKeys.Hashes);

    private static async Task<(long Hashes, long Own)> CountersAsync(ConnectionMultiplexer audit, WorkerIdentity identity)
    {
        var values = await audit.GetDatabase().StringGetAsync([WalletKeys.Hashes, WalletKeys.WorkerHashes(identity.Id)]);
        return ((long)values[0], (long)values[1]);
    }

    // PTTL: -1 (no expiry) reads as TimeSpan.MinValue, so "none" and "some" are told apart.
    private static async Task<TimeSpan> TimeToLiveAsync(ConnectionMultiplexer audit, string key)
    {
        var ms = (long)await audit.GetDatabase().ExecuteAsync("PTTL", key);
        return ms == -1 ? TimeSpan.MinValue : ms == -2 ? throw new InvalidOperationException($"{key} is gone") : TimeSpan.FromMilliseconds(ms);
    }

    private static void RecordUnits(HashCounter counter, int units)
    {
        for (var i = 0; i < units; i++)
        {
            counter.Record();
        }
    }
}
