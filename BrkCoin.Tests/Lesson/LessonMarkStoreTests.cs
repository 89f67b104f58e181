using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.WebUi.Lesson;
using StackExchange.Redis;

namespace BrkCoin.Tests.Lesson;

/// <summary>The chart's marks in a real redis-server: shared by every web UI and every reload.</summary>
public sealed class LessonMarkStoreTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_web_uis_seeing_the_same_change_mark_it_once()
    {
        var db = await CleanAsync(5);
        var first = new LessonMarkStore(db.Multiplexer);
        var second = new LessonMarkStore(db.Multiplexer);

        await first.RecordAsync(LessonShape.FromLiveWorkers(1), Start);
        await second.RecordAsync(LessonShape.FromLiveWorkers(1), Start.AddSeconds(1));
        await first.RecordAsync(LessonShape.FromLiveWorkers(10), Start.AddSeconds(2));
        var marks = await second.RecordAsync(LessonShape.FromLiveWorkers(10), Start.AddSeconds(3));

        Assert.Equal(["1 worker", "10 workers"], marks.Select(m => m.Label));
        Assert.Equal(Start.AddSeconds(2).UtcDateTime, marks[1].At);
    }

    [Fact]
    public async Task A_restarted_web_ui_reads_the_marks_and_adds_none_for_a_shape_already_seen()
    {
        var db = await CleanAsync(6);
        await new LessonMarkStore(db.Multiplexer).RecordAsync(LessonShape.FromLiveWorkers(2), Start);

        var marks = await new LessonMarkStore(db.Multiplexer).RecordAsync(LessonShape.FromLiveWorkers(2), Start.AddMinutes(1));

        Assert.Equal(["2 workers"], marks.Select(m => m.Label));
    }

    [Fact]
    public async Task Marks_leave_with_the_history_they_label()
    {
        var db = await CleanAsync(7);
        var store = new LessonMarkStore(db.Multiplexer);
        await store.RecordAsync(LessonShape.FromLiveWorkers(1), Start);
        await store.RecordAsync(LessonShape.FromLiveWorkers(2), Start.AddMinutes(10));

        var marks = await store.RecordAsync(null, Start + WalletKeys.HistoryKept + TimeSpan.FromSeconds(1));

        Assert.Equal(["2 workers"], marks.Select(m => m.Label));
    }

    private async Task<IDatabase> CleanAsync(int database)
    {
        Prerequisite.Require(redis.Missing);
        var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase={database}");
        var db = connection.GetDatabase();
        await db.KeyDeleteAsync([WalletKeys.LessonMarks, WalletKeys.LessonShape]);
        return db;
    }
}
