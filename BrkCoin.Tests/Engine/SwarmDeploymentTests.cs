using System.Text.Json;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The workshop's Swarm lessons, run for real on a single-node swarm with the published
/// docker-stack.yaml (endpoint mode dnsrr, as this kernel has no IPVS): the stack converges and
/// mines; ten workers stall near 10 hashes/s and three rng lift them; a rolling update of the
/// worker loses no coin; a minute without Redis restarts no task and the page says why.
/// One scenario, in order, because each step starts from the shape the one before left.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class SwarmDeploymentTests(DockerEngineFixture engine)
{
    private static readonly TimeSpan Converge = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private static void Say(string line) => TestContext.Current.SendDiagnosticMessage($"swarm: {line}");

    [Fact]
    public async Task The_stack_scales_rolls_and_rides_out_a_redis_outage_without_losing_a_coin()
    {
        Prerequisite.Require(engine.Missing);
        await using var stack = await SwarmStack.DeployAsync(engine, "swarm", ["--Mining:Workers=1"]);

        // Converged, and coins flow.
        await stack.WaitConvergedAsync(Converge);
        await Eventually.ReturnsAsync(stack.JsonAsync, j => j.Coins > 0, TimeSpan.FromMinutes(2), "a first coin");
        Say($"converged: {string.Join(", ", (await stack.ReplicasAsync()).Select(r => $"{r.Key} {r.Value}"))}");

        // The password is a Swarm secret: no service or container of the stack shows it.
        var password = File.ReadAllText(Path.Combine(stack.Folder, "secrets", "redis_REDIS_PASSWORD"));
        foreach (var service in (await stack.ReplicasAsync()).Keys)
        {
            Assert.DoesNotContain(password, await stack.ServiceAsync("inspect", $"{stack.Name}_{service}"));
            Assert.DoesNotContain(password, await engine.DockerAsync("inspect", await stack.ContainerAsync(service)));
        }

        // All capabilities dropped, memory and CPU limited, in every service.
        var hardening = await stack.ServiceAsync("inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.CapabilityDrop}} {{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}", $"{stack.Name}_worker");
        Assert.StartsWith("[\"ALL\"] ", hardening.Trim());
        Assert.NotEqual("0", hardening.Trim().Split(' ')[^1]);
        Say($"secrets: the password is in no service's or container's inspect output; worker: {hardening.Trim()}");

        // The bottleneck: ten workers, one rng.
        await stack.ServiceAsync("scale", "--detach=false", $"{stack.Name}_worker=10");
        await WarmUpAsync(stack);
        var stalled = await stack.MeasureSpeedAsync(Window);
        Say($"10 workers, 1 rng: {stalled:F2} hashes/s (model 10)");

        // The fix, with rng replicas added while the workers run: each new connection resolves
        // the name again and takes the next address, so the new replicas get draws at once.
        await stack.ServiceAsync("scale", "--detach=false", $"{stack.Name}_rng=3");
        await WarmUpAsync(stack);
        var lifted = await stack.MeasureSpeedAsync(Window);
        Say($"10 workers, 3 rng: {lifted:F2} hashes/s (model 30)");

        WorkshopLesson.AssertRngIsTheBottleneckAndMoreRngLiftIt("swarm", stalled, lifted);

        // A rolling update of the worker (back to two, to keep it short) loses nothing.
        await stack.ServiceAsync("scale", "--detach=false", $"{stack.Name}_worker=2", $"{stack.Name}_rng=1");
        var beforeUpdate = await stack.JsonAsync();
        var coinsBefore = await stack.WalletAsync();
        await stack.ServiceAsync("update", "--force", "--detach=false", $"{stack.Name}_worker");
        await stack.WaitConvergedAsync(Converge);
        var afterUpdate = await Eventually.ReturnsAsync(stack.JsonAsync, j => j.Hashes > beforeUpdate.Hashes, TimeSpan.FromMinutes(1), "mining after the update");
        var coinsAfter = await stack.WalletAsync();
        Assert.True(afterUpdate.Coins >= beforeUpdate.Coins);
        Assert.All(coinsBefore.Keys, coin => Assert.Contains(coin, coinsAfter.Keys));
        Assert.All(coinsAfter, coin => Assert.True(CoinRule.Verifies(coin.Key, coin.Value), $"{coin.Key} does not verify"));
        Say($"rolling update: hashes {beforeUpdate.Hashes} → {afterUpdate.Hashes}, coins {coinsBefore.Count} → {coinsAfter.Count}, all verify");

        // A minute without Redis: no worker or web UI task is replaced, and the page says why.
        var workers = await stack.RunningTasksAsync("worker");
        var webuis = await stack.RunningTasksAsync("webui");
        await stack.ServiceAsync("scale", "--detach=false", $"{stack.Name}_redis=0");
        var outageEnds = DateTimeOffset.UtcNow.AddMinutes(1);
        var (status, body) = await Eventually.ReturnsAsync(() => stack.WebUiAsync("/api/stats"),
            answer => answer.Status == 200 && JsonDocument.Parse(answer.Body).RootElement.GetProperty("walletReachable").GetBoolean() == false,
            TimeSpan.FromSeconds(30), "the page to say the wallet is unreachable");
        Assert.Contains("not answering", body);
        await Task.Delay(outageEnds - DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        Assert.Equal(workers, await stack.RunningTasksAsync("worker"));
        Assert.Equal(webuis, await stack.RunningTasksAsync("webui"));

        await stack.ServiceAsync("scale", "--detach=false", $"{stack.Name}_redis=1");
        var resumed = await Eventually.ReturnsAsync(stack.JsonAsync, j => j.Hashes > afterUpdate.Hashes, TimeSpan.FromMinutes(2), "mining after Redis is back");
        var finalCoins = await stack.WalletAsync();
        Assert.All(coinsAfter.Keys, coin => Assert.Contains(coin, finalCoins.Keys));
        Say($"redis outage: no task replaced; hashes {afterUpdate.Hashes} → {resumed.Hashes}, coins {finalCoins.Count}");
    }

    private static async Task WarmUpAsync(SwarmStack stack)
    {
        await stack.WaitConvergedAsync(Converge);
        var start = await stack.JsonAsync();
        await Eventually.ReturnsAsync(stack.JsonAsync, j => j.Now - start.Now >= 10 && j.Hashes > start.Hashes, TimeSpan.FromMinutes(1), "ten seconds of mining");
    }
}
