using System.Diagnostics.Metrics;
using BrkCoin.Mining;

namespace BrkCoin.Rng;

/// <summary>
/// How long each draw took from arrival to answer, queue included: the latency the workshop reads
/// with httping. The rate of its sum, the draws in rng at once, is what rng's Kubernetes
/// autoscaler scales on (its CPU stays low: a draw's cost is a wait behind the limiter, not work).
/// </summary>
public sealed class RngMetrics(IMeterFactory meterFactory)
{
    private readonly Histogram<double> _drawDuration = meterFactory.Create(MinerTelemetry.MeterName)
        .CreateHistogram<double>(MinerTelemetry.RngDrawDuration, "s", "Time from a draw's arrival to its answer, queueing included.");

    public void Drawn(TimeSpan elapsed) => _drawDuration.Record(elapsed.TotalSeconds);
}
