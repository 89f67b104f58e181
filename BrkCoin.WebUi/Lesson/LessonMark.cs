namespace BrkCoin.WebUi.Lesson;

/// <summary>A labelled mark on the speed chart: when the miner's shape or knobs changed, and to what.</summary>
public sealed record LessonMark(DateTime At, string Label);
