using System.Globalization;
using BrkCoin.Mining;
using StackExchange.Redis;

namespace BrkCoin.WebUi.Lesson;

/// <summary>
/// The chart's marks in Redis, beside the history they label (<see cref="WalletKeys.LessonMarks"/>):
/// a reload, a second tab or a second web UI draws the same marks.
/// </summary>
public sealed class LessonMarkStore(IConnectionMultiplexer redis)
{
    /// <summary>
    /// Records <paramref name="shape"/> as seen at <paramref name="at"/>, adds a mark if it differs
    /// from the shape last recorded, and returns the marks still on the chart, oldest first.
    /// <paramref name="at"/> is the sample's time, on Redis's clock as the history's is, so a mark
    /// lands on the chart where it belongs whichever web UI replica wrote it.
    /// </summary>
    public async Task<IReadOnlyList<LessonMark>> RecordAsync(LessonShape? shape, DateTimeOffset at)
    {
        var db = redis.GetDatabase();
        var now = at.ToUnixTimeMilliseconds();
        if (shape is { Parts.Count: > 0 })
        {
            var encoded = shape.Encode();
            // Swapped in one command (GETSET): of two web UIs seeing the same change, only the first marks it.
            var earlier = await db.StringGetSetAsync(WalletKeys.LessonShape, encoded);
            if (earlier != encoded && shape.MarkSince(earlier.IsNull ? null : LessonShape.Decode(earlier)) is { } label)
            {
                await db.SortedSetAddAsync(WalletKeys.LessonMarks, string.Create(CultureInfo.InvariantCulture, $"{now} {label}"), now);
            }
        }

        var oldest = now - WalletKeys.HistoryKept.TotalMilliseconds;
        await db.SortedSetRemoveRangeByScoreAsync(WalletKeys.LessonMarks, double.NegativeInfinity, oldest, Exclude.Stop);
        var entries = await db.SortedSetRangeByScoreAsync(WalletKeys.LessonMarks, oldest, double.PositiveInfinity);
        return [.. entries.Select(entry => Parse(entry.ToString())).OfType<LessonMark>()];
    }

    private static LessonMark? Parse(string entry) =>
        entry.Split(' ', 2) is [var ms, var label]
        && long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs)
            ? new LessonMark(DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime, label)
            : null;
}
