using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace BrkCoin.Tests.Mining;

/// <summary>Every trace at the workshop's pace, a bounded number a second beyond it.</summary>
public sealed class TracesPerSecondSamplerTests
{
    [Fact]
    public void Within_one_second_only_the_limit_is_sampled()
    {
        var sampler = new TracesPerSecondSampler(5);
        var parameters = new SamplingParameters(default, ActivityTraceId.CreateRandom(), "mine unit", ActivityKind.Internal);

        // Two rounds of calls; they may straddle a second boundary, so allow one window more.
        var sampled = Enumerable.Range(0, 100).Count(_ => sampler.ShouldSample(parameters).Decision == SamplingDecision.RecordAndSample);

        Assert.InRange(sampled, 5, 10);
    }

    [Fact]
    public void Below_the_limit_every_trace_is_sampled()
    {
        var sampler = new TracesPerSecondSampler(1000);
        var parameters = new SamplingParameters(default, ActivityTraceId.CreateRandom(), "mine unit", ActivityKind.Internal);

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(SamplingDecision.RecordAndSample, sampler.ShouldSample(parameters).Decision));
    }
}
