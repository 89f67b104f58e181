using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Lesson;
using BrkCoin.WebUi.Workshop;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BrkCoin.Tests.Lesson;

/// <summary>
/// Marks in a deployment, where no workshop tells the page what changed: it reads the number of
/// workers reporting, and marks a count once it has settled.
/// </summary>
public sealed class LessonNarratorTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Scaling_up_is_one_mark_for_the_count_it_settles_at()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=8");
        await connection.GetDatabase().KeyDeleteAsync([WalletKeys.LessonMarks, WalletKeys.LessonShape]);
        var feed = new SteppedFeed();
        // No live-settings file: the page of a deployment.
        var narrator = new LessonNarrator(feed, new WorkshopView(new ConfigurationBuilder().Build()),
            new LessonMarkStore(connection), TimeProvider.System, NullLogger<LessonNarrator>.Instance);

        // One worker for a while; then replicas start over a few seconds: 3, 7, then 10 for good.
        int[] workers = [1, 1, 1, 1, 1, 1, 3, 7, 10, 10, 10, 10, 10, 10];
        for (var second = 0; second < workers.Length; second++)
        {
            feed.Current = new MinerDashboard
            {
                WalletReachable = true,
                SampledAt = Start.AddSeconds(second),
                Workers = [.. Enumerable.Range(0, workers[second]).Select(i => new WorkerSpeed($"w{i}", 3.3, 10))],
            };
            await narrator.ObserveOnceAsync();
        }

        Assert.Equal(["1 worker", "10 workers"], narrator.Marks.Select(mark => mark.Label));
        // Marked when the count had held for the settling samples, not when it first appeared.
        Assert.Equal(Start.AddSeconds(8 + LessonNarrator.SettledSamples - 1).UtcDateTime, narrator.Marks[1].At);
    }

    private sealed class SteppedFeed : IMinerFeed
    {
        public MinerDashboard Current { get; set; } = MinerDashboard.Starting;

        public event Action<MinerDashboard>? Changed { add { } remove { } }
    }
}
