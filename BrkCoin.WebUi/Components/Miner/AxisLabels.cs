using System.Globalization;

namespace BrkCoin.WebUi.Components.Miner;

/// <summary>
/// The charts' value-axis labels, short enough for the room each chart gives them, and the room
/// itself. Radzen sizes a value axis from its own estimate of the labels' width, taken from Roboto's
/// metrics; the page draws them in system-ui, which on Linux is DejaVu Sans, about an eighth wider,
/// so a label such as "1000 ms" lost its first digit. Here the labels stay short ("1.5 s", "2.5k")
/// and each axis gets a width from an estimate that errs wide.
/// </summary>
public static class AxisLabels
{
    /// <summary>Radzen's axis label size (the theme's 0.875rem) and the static chart's (app.css).</summary>
    public const double RadzenFontSize = 14;
    public const double StaticFontSize = 11;

    /// <summary>
    /// Radzen draws a value label 9 px left of its axis line and, when the axis has a title, the
    /// title's 14 px band at the axis's outer edge; the rest of the width is the labels' room.
    /// </summary>
    public const double RadzenLabelGap = 9;
    public const double RadzenTitleBand = 14 + 8;

    /// <summary>The latency chart's value axis: labels carry their unit, no title.</summary>
    public const int LatencyAxisWidth = 72;

    /// <summary>The speed charts' value axis: bare numbers under the unit as a title.</summary>
    public const int SpeedAxisWidth = 84;

    /// <summary>Milliseconds as "0.5 ms", "250 ms", then seconds from 1000 ms: "1 s", "1.25 s", "100 s".</summary>
    public static string Milliseconds(double ms) => ms switch
    {
        >= 1000 => $"{Invariant(ms / 1000, "0.##")} s",
        >= 100 => $"{Invariant(ms, "0")} ms",
        _ => $"{Invariant(ms, "0.#")} ms",
    };

    /// <summary>A count or rate as "2.5", "750", then thousands and millions: "1.5k", "12.5k", "2M".</summary>
    public static string Count(double value) => value switch
    {
        >= 1_000_000 => $"{Invariant(value / 1_000_000, "0.##")}M",
        >= 1000 => $"{Invariant(value / 1000, "0.##")}k",
        _ => Invariant(value, "0.#"),
    };

    /// <summary>
    /// A label's width in pixels at <paramref name="fontSize"/>, from DejaVu Sans's advances (wider
    /// than Roboto, Segoe UI or San Francisco) rounded up by a few percent for hinting, and a full em
    /// for any other character, so that the estimate errs wide; AxisLabelBrowserTests holds it against Chromium's measure.
    /// </summary>
    public static double EstimatedWidth(string label, double fontSize) =>
        label.Sum(c => c switch
        {
            >= '0' and <= '9' => 0.66,
            ' ' or '.' => 0.33,
            'm' => 1.0,
            's' => 0.55,
            'k' => 0.7,
            'M' => 0.9,
            _ => 1.0,
        }) * fontSize;

    /// <summary>The room Radzen leaves a label on an axis of <paramref name="width"/> px.</summary>
    public static double RadzenLabelRoom(double width, bool titled) =>
        width - RadzenLabelGap - 1 - (titled ? RadzenTitleBand : 0);

    private static string Invariant(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
