using BrkCoin.Mining;
using BrkCoin.WebUi.Wallet;

namespace BrkCoin.Tests.WebUi;

/// <summary>Workers' latency reports added together and read as percentiles.</summary>
public sealed class CallLatencyTests
{
    [Fact]
    public void Percentiles_are_taken_over_every_workers_calls_together()
    {
        // Worker a: 9 calls of 100 ms at rng; worker b: 1 call of 1 s. Together the median is
        // 100 ms and the 95th percentile 1 s, which neither worker's own figures would give.
        var a = Report(rng: Enumerable.Repeat(100, 9), hasher: [100]);
        var b = Report(rng: [1000], hasher: [100]);

        var latency = CallLatency.Merge([a, b]);

        Assert.Equal(100, latency.RngP50!.Value, tolerance: 0.6);
        Assert.Equal(1000, latency.RngP95!.Value, tolerance: 6);
        Assert.Equal(10, latency.RngCalls);
        Assert.Equal(2, latency.HasherCalls);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(703)]
    [InlineData(10_000)]
    public void A_figure_is_within_a_percent_of_the_duration_measured(double milliseconds)
    {
        var histogram = new LatencyHistogram();
        histogram.Add(TimeSpan.FromMilliseconds(milliseconds));

        var read = LatencyHistogram.Parse(histogram.ToString()).Percentile(0.5)!.Value.TotalMilliseconds;

        // The stated error: half a bucket of 2^(1/64), 0.55%.
        Assert.InRange(read, milliseconds * 0.9945, milliseconds * 1.0055);
    }

    [Fact]
    public void Calls_a_few_percent_apart_give_a_median_below_the_95th_percentile()
    {
        // rng at the original's pace: every draw 100 ms plus up to 10 ms of queueing and transport,
        // as a worker measures it. Buckets 9% wide read all of them as one figure (106/106 ms).
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 100; i++)
        {
            histogram.Add(TimeSpan.FromMilliseconds(100 + i * 0.1));
        }

        var read = LatencyHistogram.Parse(histogram.ToString());
        var p50 = read.Percentile(0.5)!.Value.TotalMilliseconds;
        var p95 = read.Percentile(0.95)!.Value.TotalMilliseconds;

        Assert.Equal(104.9, p50, tolerance: 0.6);
        Assert.Equal(109.4, p95, tolerance: 0.6);
        Assert.True(p95 - p50 > 3, $"p50 {p50} ms, p95 {p95} ms");
    }

    [Fact]
    public void A_report_from_a_worker_of_the_earlier_resolution_reads_near_its_figure()
    {
        // Bucket 133 of 8 a doubling holds 92.7–101.0 ms; that version read it as its middle, 96.75 ms.
        var read = LatencyHistogram.Parse("133:4").Percentile(0.5)!.Value.TotalMilliseconds;

        Assert.Equal(96.75, read, tolerance: 1);
    }

    [Fact]
    public void No_calls_means_no_figure_and_garbage_is_skipped()
    {
        var latency = CallLatency.Merge([null, "", "rng=x:y,12;hasher=", "nonsense"]);

        Assert.Equal(CallLatency.Unknown, latency);
    }

    [Fact]
    public void The_history_form_round_trips_and_old_entries_read_as_unknown()
    {
        var latency = new CallLatency(101.5, 120, null, 99);

        Assert.Equal(latency with { }, CallLatency.FromHistoryText(latency.ToHistoryText()));
        Assert.Equal(CallLatency.Unknown, CallLatency.FromHistoryText(null));
    }

    private static string Report(IEnumerable<int> rng, IEnumerable<int> hasher)
    {
        var r = new LatencyHistogram();
        var h = new LatencyHistogram();
        foreach (var ms in rng)
        {
            r.Add(TimeSpan.FromMilliseconds(ms));
        }

        foreach (var ms in hasher)
        {
            h.Add(TimeSpan.FromMilliseconds(ms));
        }

        return $"rng={r};hasher={h}";
    }
}
