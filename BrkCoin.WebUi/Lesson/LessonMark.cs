namespace BrkCoin.WebUi.Lesson;

/// <summary>A labelled mark on the speed chart: when the miner's shape or knobs changed, and to what.</summary>
public sealed record LessonMark(DateTime At, string Label)
{
    /// <summary>
    /// How far before a chart's first point a mark still belongs to it: the very first shape is
    /// marked at the first sample, a second before the first speed can be measured.
    /// </summary>
    public static readonly TimeSpan Leeway = BrkCoin.Mining.WalletKeys.RunGap;

    /// <summary>Whether the mark falls on a chart running from <paramref name="first"/> to <paramref name="last"/>.</summary>
    public bool Within(DateTime first, DateTime last) => At <= last && first - At < Leeway;
}
