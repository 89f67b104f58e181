using System.Globalization;
using System.Text;

namespace BrkCoin.Mining;

/// <summary>
/// Call durations counted in logarithmic buckets (each about 9% wider than the one before), so
/// that every worker can report thousands of calls a second in a few dozen numbers and the web UI
/// can add the workers' reports together before taking percentiles, which percentiles computed
/// per worker would not allow. A figure read from it is within about 4.5% of the true one. Written
/// here rather than taken from a library because both ends need the same few lines and the text
/// form kept in Redis ("bucket:count,…"), and OpenTelemetry's histograms are not readable back.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Buckets per doubling: 8 gives steps of 2^(1/8) ≈ 1.09.</summary>
    private const double BucketsPerDoubling = 8;

    // 2^(240/8) µs ≈ 18 minutes: nothing a worker waits for is longer.
    private const int LastBucket = 240;

    private readonly SortedDictionary<int, long> _counts = [];

    public long Count { get; private set; }

    public bool IsEmpty => Count == 0;

    public void Add(TimeSpan duration) => Add(BucketOf(duration), 1);

    public void Add(LatencyHistogram other)
    {
        foreach (var (bucket, count) in other._counts)
        {
            Add(bucket, count);
        }
    }

    /// <summary>The duration below which <paramref name="quantile"/> of the calls fell (the middle of its bucket).</summary>
    public TimeSpan? Percentile(double quantile)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        foreach (var (bucket, count) in _counts)
        {
            seen += count;
            if (seen >= rank)
            {
                return Middle(bucket);
            }
        }

        return Middle(_counts.Keys.Last());
    }

    /// <summary>"bucket:count,bucket:count", the form kept in Redis.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (bucket, count) in _counts)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{bucket}:{count}");
        }

        return text.ToString();
    }

    /// <summary>Reads <see cref="ToString"/>'s form; anything malformed is skipped, not thrown.</summary>
    public static LatencyHistogram Parse(string? text)
    {
        var histogram = new LatencyHistogram();
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(':');
            if (parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                && bucket <= LastBucket)
            {
                histogram.Add(bucket, count);
            }
        }

        return histogram;
    }

    private void Add(int bucket, long count)
    {
        _counts[bucket] = _counts.GetValueOrDefault(bucket) + count;
        Count += count;
    }

    private static int BucketOf(TimeSpan duration)
    {
        var microseconds = duration.TotalMicroseconds;
        return microseconds <= 1
            ? 0
            : Math.Min(LastBucket, (int)Math.Ceiling(Math.Log2(microseconds) * BucketsPerDoubling));
    }

    // The bucket's geometric middle: within ±4.5% of any duration counted in it.
    private static TimeSpan Middle(int bucket) => TimeSpan.FromMicroseconds(Math.Pow(2, (bucket - 0.5) / BucketsPerDoubling));
}
