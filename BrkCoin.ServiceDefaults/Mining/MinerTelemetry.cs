namespace BrkCoin.Mining;

/// <summary>Names under which the miner's own metrics and traces are published.</summary>
public static class MinerTelemetry
{
    public const string MeterName = "BrkCoin.Miner";
    public const string ActivitySourceName = "BrkCoin.Miner";

    /// <summary>rng's histogram of one draw, queueing included: what the workshop measures with httping.</summary>
    public const string RngDrawDuration = "brkcoin.rng.draw.duration";

    /// <summary>
    /// The histogram as Prometheus names it (dots to underscores, the unit appended): the series
    /// prometheus-adapter turns into the autoscaler's per-pod metric.
    /// </summary>
    public const string RngDrawDurationPrometheus = "brkcoin_rng_draw_duration_seconds";

    /// <summary>
    /// The per-pod metric prometheus-adapter serves and rng's autoscaler targets: draws in rng at
    /// once, waiting or being drawn, averaged over two minutes. It is the rate of the histogram's
    /// <c>_sum</c> (seconds spent in rng per second: Little's law), so it is 0 when rng is idle,
    /// about 0.33 under one worker at the original's pace, and grows by one for each draw that waits.
    /// </summary>
    public const string RngConcurrentDrawsMetric = "brkcoin_rng_concurrent_draws";
}
