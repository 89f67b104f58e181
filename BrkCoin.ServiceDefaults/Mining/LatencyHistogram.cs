using System.Globalization;
using System.Text;

namespace BrkCoin.Mining;

/// <summary>
/// Call durations counted in logarithmic buckets, each 1.09% wider than the one before (the
/// HdrHistogram idea: a fixed relative error at every magnitude), so that every worker can report
/// thousands of calls a second in a few dozen numbers and the web UI can add the workers' reports
/// together before taking percentiles, which percentiles computed per worker would not allow. A
/// figure read from it is within 0.55% of the duration of a call it counted: calls that differ by
/// more than about 1% give different figures, so a median and a 95th percentile are equal only
/// when the calls are. Written here rather than taken from a library because both ends need the
/// same few lines and the text form kept in Redis ("64/bucket:count,…"), and OpenTelemetry's
/// histograms are not readable back.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Buckets per doubling: 64 gives steps of 2^(1/64) ≈ 1.0109.</summary>
    private const int BucketsPerDoubling = 64;

    /// <summary>
    /// The resolution of reports written before it was stated (8 buckets a doubling, ±4.5%): a
    /// worker of that version still running beside a newer web UI is read at its own resolution.
    /// </summary>
    private const int EarlierBucketsPerDoubling = 8;

    // 2^30 µs ≈ 18 minutes: nothing a worker waits for is longer.
    private const int LastBucket = 30 * BucketsPerDoubling;

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

    /// <summary>"64/bucket:count,bucket:count": the resolution, then the buckets; the form kept in Redis.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{BucketsPerDoubling}/");
        var first = true;
        foreach (var (bucket, count) in _counts)
        {
            text.Append(first ? "" : ",").Append(CultureInfo.InvariantCulture, $"{bucket}:{count}");
            first = false;
        }

        return text.ToString();
    }

    /// <summary>Reads <see cref="ToString"/>'s form (or the earlier one without a resolution); anything malformed is skipped, not thrown.</summary>
    public static LatencyHistogram Parse(string? text)
    {
        var histogram = new LatencyHistogram();
        var (resolution, buckets) = (text ?? "").Split('/', 2) is [var stated, var rest]
            ? (int.TryParse(stated, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0, rest)
            : (EarlierBucketsPerDoubling, text ?? "");
        if (resolution is not (BucketsPerDoubling or EarlierBucketsPerDoubling))
        {
            return histogram;
        }

        // An earlier, wider bucket is read as the finer bucket at its middle.
        var scale = BucketsPerDoubling / resolution;
        var shift = scale / 2;
        foreach (var pair in buckets.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(':');
            if (parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                && bucket * scale - shift is >= 0 and <= LastBucket)
            {
                histogram.Add(bucket * scale - shift, count);
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

    // The bucket's geometric middle: within ±0.55% of any duration counted in it.
    private static TimeSpan Middle(int bucket) => TimeSpan.FromMicroseconds(Math.Pow(2, (bucket - 0.5) / BucketsPerDoubling));
}
