using BrkCoin.Mining;
using BrkCoin.Tests.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BrkCoin.Tests.WebUi;

/// <summary>
/// Machines whose clocks are apart: a worker and a web UI 20 s apart, more than the 15 s a worker
/// stays listed, and two web UI replicas a few seconds apart sharing one speed history. All read
/// time from Redis, so the page neither hides the worker, nor shows a run that began in the
/// future, nor draws a spike where one replica's samples fall among the other's.
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

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Two_web_uis_whose_clocks_are_4_s_apart_share_a_history_without_a_spike(int direction)
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=12");
        var db = connection.GetDatabase();
        await db.KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.SpeedHistory]);
        var first = new HashRateSampler(new WalletReader(connection, new SkewedClock(direction * TwoSeconds)), TimeProvider.System, NullLogger<HashRateSampler>.Instance);
        var second = new HashRateSampler(new WalletReader(connection, new SkewedClock(-direction * TwoSeconds)), TimeProvider.System, NullLogger<HashRateSampler>.Instance);

        // A steady miner, 100 hashes a round, the rounds a second apart as the samplers' own
        // timers are: the true speed is about 100 hashes/s throughout.
        using var rounds = new PeriodicTimer(TimeSpan.FromSeconds(1));
        for (var round = 0; round < 5; round++)
        {
            await db.StringIncrementAsync(WalletKeys.Hashes, 100);
            await first.SampleOnceAsync();
            await rounds.WaitForNextTickAsync(Cancel);
        }

        // The second web UI starts late: its first sample loads what the first one recorded.
        for (var round = 0; round < 4; round++)
        {
            await db.StringIncrementAsync(WalletKeys.Hashes, 100);
            await first.SampleOnceAsync();
            await second.SampleOnceAsync();
            await rounds.WaitForNextTickAsync(Cancel);
        }

        var speeds = second.Current.SpeedHistory;
        TestContext.Current.SendDiagnosticMessage($"second web UI's speeds: {string.Join(", ", speeds.Select(p => p.Value.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(speeds.Count >= 6, $"{speeds.Count} speed points");
        Assert.All(speeds, point => Assert.InRange(point.Value, 50, 150));
        AssertInOrder(speeds.Select(point => new DateTimeOffset(point.At)).ToList());

        // The shared history as a web UI started now would load it: in order, the counter never going down.
        var shared = await new WalletReader(connection, TimeProvider.System).ReadHistoryAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        AssertInOrder(shared.Select(sample => sample.At).ToList());
        Assert.All(shared.Zip(shared.Skip(1)), pair => Assert.True(pair.Second.Hashes >= pair.First.Hashes,
            $"the counter goes down from {pair.First.Hashes} at {pair.First.At:HH:mm:ss.fff} to {pair.Second.Hashes} at {pair.Second.At:HH:mm:ss.fff}: read as a reset"));
    }

    private static readonly TimeSpan TwoSeconds = TimeSpan.FromSeconds(2);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static void AssertInOrder(IReadOnlyList<DateTimeOffset> times) =>
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.Second:HH:mm:ss.fff} comes after {pair.First:HH:mm:ss.fff}"));

    /// <summary>The web UI's machine, its clock set some seconds off.</summary>
    private sealed class SkewedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
