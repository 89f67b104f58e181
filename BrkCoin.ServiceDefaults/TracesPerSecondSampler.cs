using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Records at most <c>limit</c> new traces a second in this process, and every trace below that:
/// at the workshop's pace (a worker does about 3 units a second) every unit of work is a trace in
/// the dashboard; in throughput mode (thousands a second) the dashboard still shows a steady
/// sample instead of spending more CPU on telemetry than the miner spends mining. Used as the root
/// of a parent-based sampler, so rng's and hasher's spans follow the worker's decision. Written
/// here because the OpenTelemetry SDK has no rate-limiting sampler and the contrib package that
/// has one is not on this project's feed.
/// </summary>
public sealed class TracesPerSecondSampler(int limit) : Sampler
{
    private long _window;
    private int _taken;

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var second = Stopwatch.GetTimestamp() / Stopwatch.Frequency;
        if (Interlocked.Exchange(ref _window, second) != second)
        {
            // A new second: start counting again (a race here lets one extra trace through).
            Interlocked.Exchange(ref _taken, 0);
        }

        return Interlocked.Increment(ref _taken) <= limit
            ? new SamplingResult(SamplingDecision.RecordAndSample)
            : new SamplingResult(SamplingDecision.Drop);
    }
}
