using BrkCoin.AppHost.Deployment.Deploy;

namespace BrkCoin.Tests.Deployment;

/// <summary>Destroy stops callers before what they call, read from the networks each joins (the plan's rule: a called service's own network admits its callers).</summary>
public sealed class ShutdownOrderTests
{
    [Fact]
    public void The_workers_and_the_page_stop_before_rng_hasher_and_the_wallet()
    {
        var rounds = ShutdownOrder.CallersFirst(new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["redis"] = ["redis"],
            ["rng"] = ["rng"],
            ["hasher"] = ["hasher"],
            ["worker"] = ["hasher", "redis", "rng"],
            ["webui"] = ["front", "redis"],
        });

        Assert.Equal([["webui", "worker"], ["hasher", "redis", "rng"]], rounds);
    }

    [Fact]
    public void Services_that_call_each_other_stop_together()
    {
        var rounds = ShutdownOrder.CallersFirst(new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["a"] = ["a", "b"],
            ["b"] = ["b", "a"],
            ["c"] = ["a"],
        });

        Assert.Equal([["c"], ["a", "b"]], rounds);
    }

    [Theory]
    [InlineData("brkcoin_redis", "brkcoin", "redis")]
    [InlineData("brkcoin_front", "brkcoin", "front")]
    [InlineData("bridge", "brkcoin", "bridge")]
    public void Engine_names_lose_the_project_prefix(string engineName, string project, string inPlan) =>
        Assert.Equal(inPlan, ShutdownOrder.InPlan(engineName, project));
}
