namespace BrkCoin.AppHost;

/// <summary>What rng's autoscaler reads, declared with rng in AppHost.cs.</summary>
/// <remarks>
/// The draws in rng at once, not their latency: an unqueued draw takes the whole 0.1 s a latency
/// target allowed, so that ratio never fell below one and rng never scaled down. Ten workers on
/// one rng keep ~8 draws in it and ask for the most; at five rng they keep ~0.7 in each, and one
/// worker (~0.33) needs only the floor. Waiting draws alone would vanish once rng scaled out, and
/// send it back down while the workers still need it. The model's rng replicas are the floor.
/// Only with <c>Deploy:RngAutoscaler</c>: the metric needs Prometheus and prometheus-adapter.
/// </remarks>
public static class RngAutoscaling
{
    /// <summary>
    /// The per-pod metric: prometheus-adapter's name for the rate of the sum of rng's
    /// brkcoin.rng.draw.duration histogram, the draws in rng at once (MinerTelemetry in
    /// ServiceDefaults, which the AppHost does not reference; a test holds the two together).
    /// </summary>
    public const string Metric = "brkcoin_rng_concurrent_draws";

    /// <summary>
    /// The counter whose per-second rate, per pod, is <see cref="Metric"/>: the histogram's sum,
    /// seconds spent in rng (MinerTelemetry's RngDrawDurationPrometheus with <c>_sum</c>; a test holds them together).
    /// </summary>
    public const string RateOf = "brkcoin_rng_draw_duration_seconds_sum";

    /// <summary>
    /// Draws at once per rng pod the autoscaler aims for: each rng busy 80 % of the time. One
    /// worker at the original's pace keeps rng busy a third of the time; each waiting draw adds one.
    /// </summary>
    public const string TargetAverageValue = "800m";
}
