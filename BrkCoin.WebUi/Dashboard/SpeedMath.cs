namespace BrkCoin.WebUi.Dashboard;

/// <summary>Speeds from successive readings of an ever-growing counter.</summary>
public static class SpeedMath
{
    /// <summary>
    /// Units per second between two readings, as the original computes it:
    /// (count2 − count1) / (t2 − t1). A counter that went down was reset (Redis emptied, a
    /// worker restarted), so it counts from zero: the later value is all that was added since.
    /// Readings further apart (samples missed while Redis was down) give the average over the gap.
    /// </summary>
    public static double? PerSecond(long earlierCount, DateTimeOffset earlierAt, long laterCount, DateTimeOffset laterAt)
    {
        var seconds = (laterAt - earlierAt).TotalSeconds;
        if (seconds <= 0)
        {
            return null;
        }

        var added = laterCount >= earlierCount ? laterCount - earlierCount : laterCount;
        return added / seconds;
    }
}
