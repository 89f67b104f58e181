using System.Globalization;
using BrkCoin.Mining;

namespace BrkCoin.WebUi.Wallet;

/// <summary>
/// rng's and hasher's latency as the workers saw it over the last ten seconds: the median and the
/// 95th percentile of every live worker's calls together, in milliseconds (null: no call seen).
/// </summary>
public sealed record CallLatency(double? RngP50, double? RngP95, double? HasherP50, double? HasherP95, long RngCalls = 0, long HasherCalls = 0)
{
    public static readonly CallLatency Unknown = new(null, null, null, null);

    /// <summary>Adds the workers' reports ("rng=…;hasher=…") together and reads the percentiles.</summary>
    public static CallLatency Merge(IEnumerable<string?> reports)
    {
        var rng = new LatencyHistogram();
        var hasher = new LatencyHistogram();
        foreach (var report in reports)
        {
            foreach (var part in (report ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var (service, histogram) = part.Split('=', 2) is [var name, var text] ? (name, LatencyHistogram.Parse(text)) : ("", new());
                (service switch { "rng" => rng, "hasher" => hasher, _ => null })?.Add(histogram);
            }
        }

        return new CallLatency(
            Milliseconds(rng.Percentile(0.5)), Milliseconds(rng.Percentile(0.95)),
            Milliseconds(hasher.Percentile(0.5)), Milliseconds(hasher.Percentile(0.95)),
            rng.Count, hasher.Count);
    }

    /// <summary>"rngP50 rngP95 hasherP50 hasherP95" in ms, "-" for unknown: the shared history's form.</summary>
    public string ToHistoryText() => string.Join(' ', new[] { RngP50, RngP95, HasherP50, HasherP95 }.Select(Format));

    public static CallLatency FromHistoryText(string? text) =>
        (text ?? "").Split(' ') is [var a, var b, var c, var d]
            ? new CallLatency(Parse(a), Parse(b), Parse(c), Parse(d))
            : Unknown;

    private static double? Milliseconds(TimeSpan? value) => value?.TotalMilliseconds;

    private static string Format(double? ms) => ms is { } value ? value.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    private static double? Parse(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms) ? ms : null;
}
