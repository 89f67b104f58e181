using System.Globalization;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The original's Swarm chapter on a real three-node cluster (eng/cluster.sh), in its order, each
/// lesson printing what it saw: the deploy spreads over the nodes; ten workers stall at one rng's
/// pace and one rng per node lifts them; a drained node's tasks move; a node lost to a power cut
/// is marked down and its tasks rescheduled; the wallet's node lost and back, with every unit and
/// every coin kept; a hasher update whose health check fails, rolled back by Swarm itself.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class ClusterLessonsTests(DockerEngineFixture engine, ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private const string Stack = ClusterStack.Name;
    private const int WalletNode = ClusterStack.WalletNode;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static void Say(string line) => ClusterStack.Say(line);

    [Fact]
    public async Task The_workshops_swarm_lessons_hold_on_three_nodes()
    {
        Prerequisite.Require(engine.Missing ?? cluster.Missing);
        await using var brkcoin = new ClusterStack(engine, cluster);
        await DeployAsync(brkcoin);
        await BottleneckAndOneRngPerNodeAsync(brkcoin);
        await DrainAsync(brkcoin);
        await LoseANodeAsync(brkcoin);
        await LoseTheWalletsNodeAsync(brkcoin);
        await HealthCheckRollbackAsync(brkcoin);
    }

    // deploy: README's one command, with the cluster's registry; the wallet's node labelled first.
    private async Task DeployAsync(ClusterStack brkcoin)
    {
        await brkcoin.DockerAsync("node", "update", "--label-add", "brkcoin.wallet=true", $"node{WalletNode}");
        var deploy = await brkcoin.DeployAsync("--Mining:Workers=1");
        Assert.True(deploy.ExitCode == 0, deploy.Output);

        var placed = await brkcoin.RunningTasksAsync();
        Assert.True(placed.Values.Distinct().Count() >= 2, $"every task on one node: {ClusterStack.Describe(placed)}");
        Assert.Equal($"node{WalletNode}", Assert.Single(placed, t => t.Key.StartsWith("redis", StringComparison.Ordinal)).Value);
        var first = await Eventually.ReturnsAsync(brkcoin.JsonAsync, j => j.Coins > 0, TimeSpan.FromMinutes(2), "a first coin at the page");
        Say($"deploy: converged on {placed.Values.Distinct().Count()} nodes ({ClusterStack.Describe(placed)}); {first.Coins} coins");
        // Through a registry, each service runs the digest the images step pushed, not a tag.
        var images = ClusterStack.Lines(await brkcoin.DockerAsync(["service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
            .. new[] { "rng", "hasher", "worker", "webui" }.Select(service => $"{Stack}_{service}")]));
        Assert.All(images, image => Assert.Matches("@sha256:[0-9a-f]{64}$", image));
        await brkcoin.WarmUpAsync();
        var one = await brkcoin.MeasureAsync();
        Say($"deploy: the page's cluster view: {await brkcoin.PageAgreesOnClusterAsync("deploy")}; 1 worker: {one:F2} hashes/s, {await brkcoin.ModelAgreesAsync("1 worker", one)}");

        // The password is a secret: in no inspect output, on any node, nor any process's command line.
        var password = File.ReadAllText(Path.Combine(brkcoin.Folder, "secrets", "redis_REDIS_PASSWORD"));
        foreach (var service in new[] { "redis", "rng", "hasher", "worker", "webui" })
        {
            Assert.DoesNotContain(password, await brkcoin.DockerAsync("service", "inspect", $"{Stack}_{service}"));
        }

        for (var node = 1; node <= ClusterFixture.Nodes; node++)
        {
            foreach (var container in ClusterStack.Lines(await cluster.DockerAsync(node, "ps", "-q")))
            {
                Assert.DoesNotContain(password, await cluster.DockerAsync(node, "inspect", container));
            }
        }

        var commandLines = Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d => { try { return File.ReadAllText(Path.Combine(d, "cmdline")); } catch (IOException) { return string.Empty; } catch (UnauthorizedAccessException) { return string.Empty; } });
        Assert.DoesNotContain(commandLines, line => line.Contains(password, StringComparison.Ordinal));
        Say("secrets: the password is in no service's or container's inspect output on any node, nor in any command line");

        // The hardening, as the kernel and the engines apply it: every process of every task has no
        // capability, not even in its bounding set (a non-root user alone would show no effective
        // ones), and no way to gain privileges; every container has memory and CPU limits.
        var processes = 0;
        var containers = 0;
        for (var node = 1; node <= ClusterFixture.Nodes; node++)
        {
            foreach (var container in ClusterStack.Lines(await cluster.DockerAsync(node, "ps", "-q", "--filter", $"label=com.docker.stack.namespace={Stack}")))
            {
                var facts = (await cluster.DockerAsync(node, "inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.Name}}", container)).Trim().Split(' ');
                var name = $"{facts[2]} on node{node}";
                Assert.True(long.Parse(facts[0], CultureInfo.InvariantCulture) > 0 && long.Parse(facts[1], CultureInfo.InvariantCulture) > 0, $"{name} has no memory or CPU limit");
                foreach (var pid in ClusterStack.Lines(await cluster.DockerAsync(node, "top", container, "-o", "pid")).Skip(1))
                {
                    var status = await File.ReadAllTextAsync($"/proc/{pid}/status", Cancel);
                    Assert.True(ProcessStatus(status, "NoNewPrivs") == "1", $"{name}: process {pid} may gain privileges");
                    foreach (var set in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
                    {
                        Assert.True(ProcessStatus(status, set) == "0000000000000000", $"{name}: process {pid} has {set} {ProcessStatus(status, set)}");
                    }

                    processes++;
                }

                containers++;
            }
        }

        Say($"hardening: all {processes} processes of the {containers} containers on the {ClusterFixture.Nodes} nodes have no capability (bounding set included) and NoNewPrivs; every container has memory and CPU limits");
    }

    private static string ProcessStatus(string status, string field) =>
        status.Split('\n').Select(line => line.Split(':', 2)).First(parts => parts[0] == field)[1].Trim();

    // 10 workers stall at one rng's 10 hashes/s; one rng per node (Deploy:RngPerNode) lifts them.
    private async Task BottleneckAndOneRngPerNodeAsync(ClusterStack brkcoin)
    {
        await brkcoin.DockerAsync("service", "scale", "--detach=false", $"{Stack}_worker=10");
        await brkcoin.WarmUpAsync();
        var stalled = await brkcoin.MeasureAsync();
        var stalledModel = await brkcoin.ModelAgreesAsync("10 workers, 1 rng", stalled);
        Assert.Contains("rng: 1 replica", stalledModel);

        // A service cannot change from replicated to global in place: rng goes, then comes back one per node.
        await brkcoin.DockerAsync("service", "rm", $"{Stack}_rng");
        await brkcoin.PublishAndDeployAsync("--Mining:Workers=10", "--Deploy:RngPerNode=true");
        await Eventually.ReturnsAsync(brkcoin.RunningTasksAsync, t => t.Count(x => x.Key.StartsWith("rng", StringComparison.Ordinal)) == ClusterFixture.Nodes
            && t.Count(x => x.Key.StartsWith("worker", StringComparison.Ordinal)) == 10, TimeSpan.FromMinutes(3), "one rng per node and ten workers");
        var rngNodes = (await brkcoin.RunningTasksAsync()).Where(t => t.Key.StartsWith("rng", StringComparison.Ordinal)).Select(t => t.Value).ToList();
        Assert.Equal(ClusterFixture.Nodes, rngNodes.Distinct().Count());
        await brkcoin.WarmUpAsync();
        var lifted = await brkcoin.MeasureAsync();
        Say($"10 workers, 1 rng: {stalled:F2} hashes/s (model 10); one rng on each of {string.Join(", ", rngNodes.Order())}: {lifted:F2} hashes/s (model 30)");
        var spread = await brkcoin.PageAgreesOnWorkerNodesAsync();
        Say($"the page's worker list: {spread}");
        var liftedModel = await brkcoin.ModelAgreesAsync("one rng per node", lifted);
        Say($"one rng per node: the page's cluster view: {await brkcoin.PageAgreesOnClusterAsync("one rng per node")}; {stalledModel} → {liftedModel}");

        // Figures a loaded machine cannot break (see WorkshopLesson): one rng's ceiling, ten
        // workers' own ceiling, and three rng at least two and a half times one rng's pace.
        Assert.True(stalled is > 0 and <= 11.0, $"10 workers with 1 rng mined {stalled:F2} hashes/s; rng's cap allows 10");
        Assert.True(lifted <= 34.0, $"10 workers with one rng per node mined {lifted:F2} hashes/s; ten workers cannot pass 33");
        Assert.True(lifted >= 2.5 * stalled, $"one rng per node lifted 10 workers from {stalled:F2} to only {lifted:F2} hashes/s; the model says three times");
        _lifted = lifted;
    }

    private double _lifted;

    // Drain the node with the most workers (not the wallet's): its tasks move, nothing is lost.
    private async Task DrainAsync(ClusterStack brkcoin)
    {
        var before = await brkcoin.RunningTasksAsync();
        var drained = before.Where(t => t.Key.StartsWith("worker", StringComparison.Ordinal) && t.Value != $"node{WalletNode}")
            .GroupBy(t => t.Value).OrderByDescending(g => g.Count()).First().Key;
        var coins = await brkcoin.WalletAsync();
        await brkcoin.DockerAsync("node", "update", "--availability", "drain", drained);
        var after = await Eventually.ReturnsAsync(brkcoin.RunningTasksAsync,
            t => !t.ContainsValue(drained) && t.Count(x => x.Key.StartsWith("worker", StringComparison.Ordinal)) == 10,
            TimeSpan.FromMinutes(3), $"every task off {drained}");
        // During the drain: the page follows Swarm's moves, the drained node emptied.
        var during = await brkcoin.PageAgreesOnClusterAsync($"drain of {drained}");
        Assert.DoesNotContain(drained, during);
        await brkcoin.ScreenshotAsync("cluster-drain.png");
        await brkcoin.WarmUpAsync();
        var speed = await brkcoin.MeasureAsync();
        var wallet = await brkcoin.WalletAsync();
        Assert.All(coins, coin => Assert.Equal(coin.Value, wallet.GetValueOrDefault(coin.Key)));
        var moved = await brkcoin.PageAgreesOnWorkerNodesAsync();
        Assert.DoesNotContain(drained, moved);
        Say($"drain {drained} ({before.Count(t => t.Value == drained)} tasks): all moved ({ClusterStack.Describe(after)}); {speed:F2} hashes/s with two rng (model 20); all {coins.Count} coins kept; the page's worker list: {moved}");
        // Two rng are left (one per active node): the model says 20, two thirds of three rng's 30.
        Assert.True(speed <= 22.0, $"after the drain {speed:F2} hashes/s; two rng allow 20");
        Assert.True(speed >= 0.55 * _lifted, $"after the drain {speed:F2} hashes/s, against {_lifted:F2} with three rng; the model says two thirds");
        Say($"drain: the page's cluster view: {during}; {await brkcoin.ModelAgreesAsync("after the drain", speed)}");
        await brkcoin.DockerAsync("node", "update", "--availability", "active", drained);
        // After it: Swarm moves nothing back by itself, and the page shows the same.
        Say($"after the drain: the page's cluster view: {await brkcoin.PageAgreesOnClusterAsync($"{drained} active again")}");
    }

    // A power cut on a node that does not hold the wallet: marked down, its tasks rescheduled.
    private async Task LoseANodeAsync(ClusterStack brkcoin)
    {
        // The node with the most tasks, not the wallet's (after a drain Swarm does not move tasks
        // back by itself, so the node made active again may hold none).
        var tasks = await brkcoin.RunningTasksAsync();
        var lost = Enumerable.Range(1, ClusterFixture.Nodes).Where(n => n != WalletNode)
            .OrderByDescending(n => tasks.Count(t => t.Value == $"node{n}")).First();
        Assert.True(tasks.Any(t => t.Value == $"node{lost}" && t.Key.StartsWith("worker", StringComparison.Ordinal)), $"node{lost} runs no worker: {ClusterStack.Describe(tasks)}");
        var mined = await brkcoin.JsonAsync();
        await brkcoin.ScriptAsync("kill", lost.ToString(CultureInfo.InvariantCulture));
        await Eventually.ReturnsAsync(() => brkcoin.NodeStatusAsync(lost), status => status == "Down", TimeSpan.FromMinutes(2), $"node{lost} marked down");
        var after = await Eventually.ReturnsAsync(brkcoin.RunningTasksAsync,
            t => !t.ContainsValue($"node{lost}") && t.Count(x => x.Key.StartsWith("worker", StringComparison.Ordinal)) == 10,
            TimeSpan.FromMinutes(3), $"node{lost}'s tasks rescheduled");
        var going = await Eventually.ReturnsAsync(brkcoin.JsonAsync, j => j.Hashes > mined.Hashes + 50, TimeSpan.FromMinutes(1), "mining to go on");
        Say($"power cut on node{lost} ({tasks.Count(t => t.Value == $"node{lost}")} tasks): marked down, its tasks rescheduled ({ClusterStack.Describe(after)}); hashes {mined.Hashes} → {going.Hashes}");
        var withoutIt = await brkcoin.PageAgreesOnClusterAsync($"node{lost} lost");
        Assert.DoesNotContain($"node{lost}", withoutIt);
        Say($"node{lost} lost: the page's cluster view: {withoutIt}");

        await brkcoin.ScriptAsync("revive", lost.ToString(CultureInfo.InvariantCulture));
        await Eventually.ReturnsAsync(() => brkcoin.NodeStatusAsync(lost), status => status == "Ready", TimeSpan.FromMinutes(2), $"node{lost} back");
        Say($"node{lost} back: the page's cluster view: {await brkcoin.PageAgreesOnClusterAsync($"node{lost} back")}");
    }

    // The wallet's node lost: the page says so and the workers keep their units; back, the wallet is whole.
    private async Task LoseTheWalletsNodeAsync(ClusterStack brkcoin)
    {
        var coins = await brkcoin.WalletAsync();
        var counted = await brkcoin.HashesAsync();
        brkcoin.Manager = Enumerable.Range(1, ClusterFixture.Nodes).First(n => n != WalletNode);
        await brkcoin.ScriptAsync("kill", WalletNode.ToString(CultureInfo.InvariantCulture));
        await Eventually.ReturnsAsync(() => brkcoin.NodeStatusAsync(WalletNode), status => status == "Down", TimeSpan.FromMinutes(2), "the wallet's node marked down");
        // The web UI may have gone with the node: a new one that has never read the wallet answers
        // 503 with the same words; one that had read it keeps the last figures and says why.
        var said = await Eventually.ReturnsAsync(brkcoin.WalletProblemAsync, problem => problem is not null,
            TimeSpan.FromMinutes(3), "the page to say the wallet is unreachable");
        Assert.Contains("not answering", said);
        // Pinned to its volume: once Swarm has moved the lost node's other tasks, Redis is the one
        // left waiting for a node with the label, rather than started empty anywhere else.
        await Eventually.ReturnsAsync(brkcoin.RunningTasksAsync,
            t => t.Count(x => x.Key.StartsWith("worker", StringComparison.Ordinal)) == 10 && !t.ContainsValue($"node{WalletNode}"),
            TimeSpan.FromMinutes(3), "the wallet's node's other tasks rescheduled");
        var waiting = await Eventually.ReturnsAsync(
            async () => ClusterStack.Lines(await brkcoin.DockerAsync("service", "ps", $"{Stack}_redis", "--no-trunc", "--format", "{{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}")).FirstOrDefault() ?? string.Empty,
            line => line.Contains("no suitable node", StringComparison.Ordinal), TimeSpan.FromMinutes(2), "Redis's task waiting for a labelled node");
        var elsewhere = (await brkcoin.RunningTasksAsync()).Where(t => t.Key.StartsWith("redis", StringComparison.Ordinal)).ToList();
        Assert.True(elsewhere.Count == 0, $"Redis runs elsewhere while its node is down: {string.Join(", ", elsewhere)}");
        Say($"wallet's node lost: the page says \"{said}\"; its other tasks moved, Redis started nowhere else (its task: {waiting.Trim()})");

        await brkcoin.ScriptAsync("revive", WalletNode.ToString(CultureInfo.InvariantCulture));
        await Eventually.ReturnsAsync(brkcoin.RunningTasksAsync, t => t.Any(x => x.Key.StartsWith("redis", StringComparison.Ordinal) && x.Value == $"node{WalletNode}"),
            TimeSpan.FromMinutes(3), "Redis back on the wallet's node");
        var back = await Eventually.ReturnsAsync(brkcoin.JsonAsync, j => j.Coins >= coins.Count && j.Hashes > 0, TimeSpan.FromMinutes(2), "the page to read the wallet again");
        var wallet = await brkcoin.WalletAsync();
        Assert.All(coins, coin => Assert.Equal(coin.Value, wallet.GetValueOrDefault(coin.Key)));
        Assert.All(wallet, coin => Assert.True(CoinRule.Verifies(coin.Key, coin.Value), $"{coin.Key} does not verify"));

        // Nothing counted before is gone, the units the workers kept through the outage arrive, and
        // every coin they logged is in the wallet.
        var recounted = await brkcoin.HashesAsync();
        Assert.True(recounted >= counted, $"hashes went from {counted} to {recounted} across the wallet's loss");
        var logged = await brkcoin.LoggedCoinsAsync();
        wallet = await brkcoin.WalletAsync();
        Assert.All(logged, hash => Assert.True(wallet.ContainsKey(hash), $"coin {hash} was logged but is not in the wallet"));
        brkcoin.Manager = WalletNode;
        Say($"wallet's node back: Redis there again with all {coins.Count} coins of before ({wallet.Count} now, all verify, {logged.Count} logged all there); hashes {counted} → {recounted}");
        await HashesAreEveryUnitTheWorkersReportAsync(brkcoin);
    }

    /// <summary>
    /// `hashes` against the batches every worker container ever logged as counted, on every node,
    /// those a power cut killed included, while the workers mine on. A worker logs a batch only
    /// once Redis has applied it, so what the logs say before `hashes` is read must be in it, and
    /// what `hashes` holds is in the logs a moment later, short only of a killed worker's last
    /// batch, applied but perhaps not yet written when the power went. Anything else is a unit
    /// lost or counted twice.
    /// </summary>
    private static async Task HashesAreEveryUnitTheWorkersReportAsync(ClusterStack brkcoin)
    {
        var before = await brkcoin.CountedUnitsAsync();
        var hashes = await brkcoin.HashesAsync();
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        var after = await brkcoin.CountedUnitsAsync();
        Say($"hashes {hashes}; the {after.Containers} worker containers had logged {before.Units} units as counted just before, {after.Units} just after ({after.Killed} of them killed by a power cut, whose last batches may be unlogged: up to {after.Slack})");
        Assert.True(before.Units <= hashes, $"the workers logged {before.Units} units as counted, but hashes is {hashes}: units were lost");
        Assert.True(hashes <= after.Units + after.Slack, $"hashes is {hashes}, but the workers logged only {after.Units} units (+{after.Slack} a power cut may have kept from the logs): units were counted twice");
    }

    // The health-check lab: hasher updated to an image whose health check fails (as the original's
    // lab breaks hasher's image), rolled back by Swarm itself.
    private async Task HealthCheckRollbackAsync(ClusterStack brkcoin)
    {
        var before = await brkcoin.JsonAsync();
        var coins = await brkcoin.WalletAsync();
        var published = (await brkcoin.DockerAsync("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", $"{Stack}_hasher")).Trim();
        var broken = await brkcoin.BrokenHasherImageAsync(published.Split('@')[0]);
        var updated = DateTimeOffset.UtcNow;
        await brkcoin.DockerAsync("service", "update", "--detach", "--image", broken, $"{Stack}_hasher");
        await Eventually.ReturnsAsync(
            async () => (await brkcoin.DockerAsync("service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", $"{Stack}_hasher")).Trim(),
            s => s.StartsWith("rollback", StringComparison.Ordinal), TimeSpan.FromMinutes(4), "Swarm to see the new hasher fail");
        var detected = DateTimeOffset.UtcNow - updated;
        var state = await Eventually.ReturnsAsync(
            async () => (await brkcoin.DockerAsync("service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", $"{Stack}_hasher")).Trim(),
            s => s == "rollback_completed", TimeSpan.FromMinutes(4), "Swarm to roll the hasher back");
        var after = await Eventually.ReturnsAsync(brkcoin.JsonAsync, j => j.Hashes > before.Hashes + 50, TimeSpan.FromMinutes(1), "mining after the rollback");
        var wallet = await brkcoin.WalletAsync();
        Assert.All(coins, coin => Assert.Equal(coin.Value, wallet.GetValueOrDefault(coin.Key)));
        var image = (await brkcoin.DockerAsync("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", $"{Stack}_hasher")).Trim();
        Assert.Equal(published, image);
        Say($"health-check lab: hasher updated to {broken} (serves on another port, so its health check fails): rollback began {detected.TotalSeconds:F0} s after the update (the published check: 15 s start period, then three failures 10 s apart), {state}; the published image is back; hashes {before.Hashes} → {after.Hashes}; all {coins.Count} coins kept");
    }
}
