using BrkCoin.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BrkCoin.Tests.Mining;

public sealed class WorkerOptionsRelationsTests
{
    private static readonly WorkerOptionsRelations Relations = new(Options.Create(new HostOptions { ShutdownTimeout = TimeSpan.FromSeconds(30) }));

    [Fact]
    public void The_defaults_fit_together()
    {
        Assert.True(Relations.Validate(null, new WorkerOptions()).Succeeded);
    }

    [Fact]
    public void A_first_retry_delay_longer_than_the_longest_is_refused()
    {
        var result = Relations.Validate(null, new WorkerOptions { RetryDelay = TimeSpan.FromSeconds(20), MaxRetryDelay = TimeSpan.FromSeconds(10) });

        Assert.True(result.Failed);
        Assert.Contains("Worker:RetryDelay", result.FailureMessage);
    }

    [Fact]
    public void A_shutdown_grace_the_host_would_cut_short_is_refused()
    {
        // The coin store's grace and the flush's grace: 2 × 20 s does not fit in the host's 30 s.
        var result = Relations.Validate(null, new WorkerOptions { ShutdownGrace = TimeSpan.FromSeconds(20) });

        Assert.True(result.Failed);
        Assert.Contains("Worker:ShutdownGrace", result.FailureMessage);
    }
}
