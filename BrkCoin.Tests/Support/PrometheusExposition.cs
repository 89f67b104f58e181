using System.Globalization;

namespace BrkCoin.Tests.Support;

/// <summary>A scrape of a <c>/metrics</c> page in Prometheus' text format, read as Prometheus reads it.</summary>
public sealed class PrometheusExposition(string text, DateTimeOffset scrapedAt)
{
    public DateTimeOffset ScrapedAt { get; } = scrapedAt;

    /// <summary>
    /// The sum of every sample of <paramref name="series"/>, whatever its labels (as PromQL's
    /// <c>sum(series)</c>); 0 when the page has none.
    /// </summary>
    public double Sum(string series)
    {
        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            // A sample: name, optional {labels}, value, optional timestamp. Comments start with #.
            if (line.StartsWith('#') || !line.StartsWith(series, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[series.Length..];
            if (rest.StartsWith('{'))
            {
                rest = rest[(rest.LastIndexOf('}') + 1)..];
            }
            else if (!rest.StartsWith(' '))
            {
                continue; // another series whose name begins with this one
            }

            total += double.Parse(rest.Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return total;
    }

    /// <summary>PromQL's <c>rate</c> of a counter between two scrapes: its increase per second.</summary>
    public static double Rate(string series, PrometheusExposition earlier, PrometheusExposition later) =>
        (later.Sum(series) - earlier.Sum(series)) / (later.ScrapedAt - earlier.ScrapedAt).TotalSeconds;
}
