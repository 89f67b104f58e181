using BrkCoin.Mining;
using BrkCoin.Tests.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;
using BrkCoin.Worker.Mining;
using StackExchange.Redis;

namespace BrkCoin.Tests.WebUi;

/// <summary>
/// A worker and a web UI on machines whose clocks are 20 s apart, more than the 15 s a worker
/// stays listed: both read time from Redis, so the page neither hides the worker nor shows a run
/// that began in the future.
/// </summary>
public sealed class OneClockTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Apart = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task A_web_ui_whose_clock_is_20_s_off_lists_the_worker_and_a_run_of_no_negative_length(int direction)
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=11");
        var db = connection.GetDatabase();
        await db.KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.Wallet, WalletKeys.LiveWorkers, WalletKeys.RunSince, WalletKeys.MiningSince, WalletKeys.LatestCoins]);
        var identity = RedisWalletTests.Identity($"service.instance.id=worker-{Guid.NewGuid():N}");
        var worker = new RedisWallet(connection, identity);
        await worker.AddHashesAsync(new FlushBatch(1, 5));
        var coin = "0" + new string('c', 63);
        Assert.True(await worker.StoreCoinAsync(coin, [1, 2, 3]));

        var skewed = new SkewedClock(direction * Apart);
        var sample = await new WalletReader(connection, skewed).ReadSampleAsync();
        var dashboard = DashboardCalculator.Calculate([sample]);

        Assert.Contains(identity.Id, sample.WorkerHashes.Keys);
        Assert.Contains(dashboard.Workers, listed => listed.Id == identity.Id);
        Assert.NotNull(dashboard.MiningFor);
        // Read within a second of the flush, on the page's own clock.
        Assert.InRange(dashboard.MiningFor.Value, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        var found = Assert.Single(sample.LatestCoins);
        Assert.InRange(sample.At - found.FoundAt, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    /// <summary>The web UI's machine, its clock set some seconds off.</summary>
    private sealed class SkewedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
