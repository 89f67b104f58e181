namespace BrkCoin.AppHost;

/// <summary>What rng's autoscaler reads, declared with rng in AppHost.cs.</summary>
public static class RngAutoscaling
{
    /// <summary>
    /// The per-pod metric: prometheus-adapter's name for rng's brkcoin.rng.draw.duration histogram
    /// (MinerTelemetry in ServiceDefaults, which the AppHost does not reference; a test holds the
    /// two together).
    /// </summary>
    public const string Metric = "brkcoin_rng_draw_latency_seconds";

    /// <summary>
    /// 0.1 s a draw. A draw takes 0.1 s unqueued, so a longer average means a queue: with ten
    /// workers on one rng (~0.8 s) it asks for about eight.
    /// </summary>
    public const string TargetAverageValue = "100m";
}
