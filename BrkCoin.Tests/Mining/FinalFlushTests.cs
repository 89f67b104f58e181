using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace BrkCoin.Tests.Mining;

/// <summary>
/// The worker's last flush, on a real redis-server: the workshop's own sequence (Redis restarts,
/// then the workers are scaled down) must not cost a unit.
/// </summary>
public sealed class FinalFlushTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stop_right_after_a_failed_flush_brings_every_unit_done_into_hashes()
    {
        Prerequisite.Require(redis.Missing);
        await using var proxy = new ReplyLosingProxy(redis.Port);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(proxy.ConnectionString);
        await using var audit = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var identity = RedisWalletTests.Identity($"service.instance.id=worker-{Guid.NewGuid():N}");
        await audit.GetDatabase().KeyDeleteAsync(WalletKeys.Hashes);
        // No flush of its own: the test fails one as the timer's would, and stops the worker
        // before another could carry what is pending.
        await using var miner = new MinerHarness(
            options => options.CounterInterval = TimeSpan.FromHours(1),
            services => new RedisWallet(connection, identity, services.GetRequiredService<WorkerStatus>()));

        await miner.Miner.StartAsync(Cancel);
        await Eventually.ReturnsAsync(() => Task.FromResult(miner.Counter.Recorded), n => n >= 100, TimeSpan.FromSeconds(30), "100 units done");

        // Mining waits at rng meanwhile, so the reply lost is the counter's, not a coin store's.
        var parked = new TaskCompletionSource();
        var resume = new TaskCompletionSource();
        miner.Rng.BeforeEachDraw = () =>
        {
            parked.TrySetResult();
            return resume.Task;
        };
        await parked.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        // A coin found just before may still be on its way into the wallet (the loop mines on
        // meanwhile): once every unit hashed is counted, none is.
        await Eventually.ReturnsAsync(
            () => Task.FromResult(miner.Counter.Recorded), n => n == miner.Hasher.Answered.Count, TimeSpan.FromSeconds(30), "the last coin stored");
        proxy.LoseNextTransactionReplies(1);
        // Redis applies the batch; the worker cannot know it and keeps it, as after a blip.
        await Assert.ThrowsAnyAsync<Exception>(() => miner.Counter.FlushAsync(Cancel));
        Assert.Equal(1, proxy.RepliesLost);
        var failedBatch = miner.Counter.Pending;

        miner.Rng.BeforeEachDraw = null;
        resume.SetResult();
        await Eventually.ReturnsAsync(() => Task.FromResult(miner.Counter.Pending), n => n >= failedBatch + 100, TimeSpan.FromSeconds(30), "100 units more");
        await miner.Miner.StopAsync(Cancel);

        var hashes = (long)await audit.GetDatabase().StringGetAsync(WalletKeys.Hashes);
        TestContext.Current.SendDiagnosticMessage($"final flush: failed batch {failedBatch} units, {miner.Counter.Recorded} units done, hashes {hashes}");
        Assert.Equal(miner.Counter.Recorded, hashes);
        Assert.Equal(0, miner.Counter.Pending);
    }
}
