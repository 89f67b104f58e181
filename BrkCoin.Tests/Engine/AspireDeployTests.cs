using System.Globalization;
using System.Net.Http.Json;
using BrkCoin.AppHost.Deployment.Deploy;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The AppHost's deploy and destroy steps on the real engine, with README's own arguments (read
/// from README.md: <c>--operation publish --step deploy</c>, which is what <c>aspire deploy</c> runs): images built by the SDK on the offline base image, the files
/// written, the Compose project up and healthy, the page mining; again, in place, on the same
/// wallet; then down with the wallet's volume kept. Destroy stops before it removes: mining in
/// throughput mode until then, every worker writes its audit line and exits 0, and Redis started
/// alone on the kept volume holds exactly the units the workers logged as added. The same on a
/// single-node Swarm, destroyed without naming the target (the record deploy wrote names it).
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class AspireDeployTests(DockerEngineFixture engine, ITestOutputHelper output)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Mining as fast as it can, with more than one worker: a destroy that drops a worker's pending units shows.</summary>
    private static readonly string[] Busy = ["--Mining:Throughput=true", "--Mining:Workers=2"];

    [Fact]
    public async Task Deploy_mines_deploy_again_keeps_the_wallet_and_destroy_keeps_only_its_volume()
    {
        Prerequisite.Require(engine.Missing);
        var project = $"brkcoindeploy{Environment.ProcessId}";
        var port = FreePort.OnLoopback();
        var folder = Directory.CreateTempSubdirectory("brkcoin-aspire-deploy-").FullName;
        using var page = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var first = await StepAsync("deploy", project, port, folder, Busy);
            Assert.True(first.ExitCode == 0, first.Output);
            Assert.Contains($"The page: http://127.0.0.1:{port}", first.Output, StringComparison.Ordinal);
            var mined = await Eventually.ReturnsAsync(() => JsonAsync(page), json => json.Coins > 0, TimeSpan.FromMinutes(2), "a coin at the page");
            output.WriteLine($"first deploy: {mined.Coins} coins, {mined.Hashes} hashes");

            // Redis's container goes, so the second deploy must make a new one: only its volume
            // can give it the wallet back.
            var before = await WalletAsync(project);
            Assert.NotEmpty(before);
            await engine.DockerAsync("rm", "--force", await RedisContainerAsync(project));

            // From here every worker that ever ran is followed: the second deploy may recreate the
            // first ones (a rebuilt image), and their units are in `hashes` too.
            var label = $"com.docker.compose.project={project}";
            var followed = await FollowedContainers.StartAsync(engine, label, "com.docker.compose.service");
            var second = await StepAsync("deploy", project, port, folder, Busy);
            Assert.True(second.ExitCode == 0, second.Output);
            await followed.FollowNewAsync();
            var after = await WalletAsync(project);
            Assert.All(before, coin => Assert.Equal(coin.Value, after.GetValueOrDefault(coin.Key)));
            var again = await Eventually.ReturnsAsync(() => JsonAsync(page), json => json.Coins > before.Count, TimeSpan.FromMinutes(2), "more coins after deploying again");
            Assert.True(again.Hashes > mined.Hashes, $"hashes went from {mined.Hashes} to {again.Hashes}");
            output.WriteLine($"second deploy, on a new Redis container: all {before.Count} coins of before still there; then {again.Coins} coins, {again.Hashes} hashes");

            Assert.Equal(new DeploymentRecord("compose", project, engine.DockerHost), DeploymentRecord.Read(folder));

            var destroy = await StepAsync("destroy", project, port, folder);
            Assert.True(destroy.ExitCode == 0, destroy.Output);
            Assert.Contains("kept its volumes", destroy.Output, StringComparison.Ordinal);
            Assert.Empty(await ListAsync("ps", "-aq", "--filter", $"label={label}"));
            Assert.Empty(await ListAsync("network", "ls", "-q", "--filter", $"label={label}"));
            Assert.Equal([$"{project}_redis-data"], await ListAsync("volume", "ls", "-q", "--filter", $"label={label}"));
            await AssertEveryUnitCountedAsync(followed, service => service == "worker", $"{project}_redis-data");

            await AssertRemovesTheWalletThenFindsNothingAsync(project, port, folder, label);
        }
        finally
        {
            await StepAsync("destroy", project, port, folder, "--Deploy:RemoveVolumes=true");
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_service_that_is_not_healthy_in_time_fails_the_step_naming_it_and_says_what_is_left()
    {
        Prerequisite.Require(engine.Missing);
        var project = $"brkcoinslow{Environment.ProcessId}";
        var port = FreePort.OnLoopback();
        var folder = Directory.CreateTempSubdirectory("brkcoin-aspire-slow-").FullName;
        try
        {
            // No service passes its first health check (10 s after it starts) within five seconds of `up`.
            var deploy = await StepAsync("deploy", project, port, folder, "--Deploy:HealthTimeout=00:00:05");

            Assert.NotEqual(0, deploy.ExitCode);
            Assert.Contains("Not every service healthy within 00:00:05", deploy.Output, StringComparison.Ordinal);
            Assert.Contains("left as it is", deploy.Output, StringComparison.Ordinal);
            // It names what is not healthy yet: a container of the project with its status.
            Assert.Matches($@"{project}_\w+_1: Up [^\n]*\(health: starting\)", deploy.Output);
        }
        finally
        {
            await StepAsync("destroy", project, port, folder, "--Deploy:RemoveVolumes=true");
            Directory.Delete(folder, recursive: true);
        }

        Assert.Empty(await ListAsync("ps", "-aq", "--filter", $"label=com.docker.compose.project={project}"));
    }

    [Fact]
    public async Task A_swarm_stack_destroyed_without_naming_the_target_stops_its_workers_first_and_loses_no_unit()
    {
        Prerequisite.Require(engine.Missing);
        var project = $"brkcoinswarmdown{Environment.ProcessId}";
        var port = FreePort.OnLoopback();
        var folder = Directory.CreateTempSubdirectory("brkcoin-aspire-swarm-").FullName;
        var swarmStartedHere = false;
        var label = $"com.docker.stack.namespace={project}";
        try
        {
            if ((await engine.DockerAsync("info", "--format", "{{.Swarm.LocalNodeState}}")).Trim() != "active")
            {
                // As SwarmStack makes it: on 127.0.0.1, overlay subnets clear of the engine's bridge pool.
                await engine.DockerAsync("swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr", "127.0.0.1:2377", "--default-addr-pool", "10.232.0.0/16");
                swarmStartedHere = true;
            }

            await engine.DockerAsync("node", "update", "--label-add", "brkcoin.wallet=true", (await engine.DockerAsync("info", "--format", "{{.Swarm.NodeID}}")).Trim());

            // No IPVS in this kernel: Swarm's virtual IPs cannot balance here (see docs/deploy.md);
            // an address for the web UI keeps the stack from publishing it on every interface.
            var deploy = await StepAsync("swarm deploy", project, port, folder, [.. Busy, "--Deploy:EndpointMode=dnsrr"]);
            Assert.True(deploy.ExitCode == 0, deploy.Output);
            Assert.Equal(new DeploymentRecord("swarm", project, engine.DockerHost), DeploymentRecord.Read(folder));
            var redis = Assert.Single(await ListAsync("ps", "-q", "--filter", $"label=com.docker.swarm.service.name={project}_redis"));
            var mined = await Eventually.ReturnsAsync(
                async () => (await engine.RunAsync("docker",
                    ["exec", redis, "sh", "-c", "REDISCLI_AUTH=\"$(cat /run/secrets/REDIS_PASSWORD)\" redis-cli --raw GET hashes"], TimeSpan.FromSeconds(30))).Output.Trim(),
                text => long.TryParse(text, CultureInfo.InvariantCulture, out var hashes) && hashes > 1000,
                TimeSpan.FromMinutes(2),
                "a thousand hashes in the wallet");
            output.WriteLine($"swarm deploy: {mined} hashes");

            var followed = await FollowedContainers.StartAsync(engine, label, "com.docker.swarm.service.name");
            // The README's destroy, as is: no --Deploy:Target=swarm.
            var destroy = await StepAsync("destroy", project, port, folder);
            Assert.True(destroy.ExitCode == 0, destroy.Output);
            Assert.Contains("as deployed.json records", destroy.Output, StringComparison.Ordinal);
            Assert.Contains($"Stopping worker: scaling it from 2 to none", destroy.Output, StringComparison.Ordinal);
            Assert.Contains("kept its volumes (the wallet)", destroy.Output, StringComparison.Ordinal);
            Assert.Empty(await ListAsync("service", "ls", "-q", "--filter", $"label={label}"));
            Assert.Empty(await ListAsync("ps", "-aq", "--filter", $"label={label}"));
            Assert.Empty(await ListAsync("network", "ls", "-q", "--filter", $"label={label}"));
            Assert.Equal([$"{project}_redis-data"], await ListAsync("volume", "ls", "-q", "--filter", $"label={label}"));
            await AssertEveryUnitCountedAsync(followed, service => service == $"{project}_worker", $"{project}_redis-data");

            await AssertRemovesTheWalletThenFindsNothingAsync(project, port, folder, label);
        }
        finally
        {
            if (DeploymentRecord.Read(folder) is not null)
            {
                await StepAsync("destroy", project, port, folder, "--Deploy:RemoveVolumes=true");
            }

            if (swarmStartedHere)
            {
                await engine.RunAsync("docker", ["swarm", "leave", "--force"], TimeSpan.FromMinutes(1));
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Every container followed stopped on its own (exit 0, not 137 for a kill), every worker
    /// wrote its audit line, and the kept wallet's <c>hashes</c> is the sum of the units they
    /// logged as added: they are all the workers the wallet ever had.
    /// </summary>
    private async Task AssertEveryUnitCountedAsync(FollowedContainers followed, Func<string, bool> isWorker, string walletVolume)
    {
        var stopped = await followed.StoppedAsync(TimeSpan.FromMinutes(2));
        Assert.All(stopped, c => Assert.True(c.ExitCode == 0, $"{c.Service} ({c.Id}) exited {c.ExitCode}:\n{c.Log[^Math.Min(c.Log.Length, 2000)..]}"));
        var workers = stopped.Where(c => isWorker(c.Service)).ToList();
        Assert.True(workers.Count >= 2, $"{workers.Count} workers followed");
        var added = workers.Select(w => FollowedContainers.UnitsAdded(w.Log) ?? throw new Xunit.Sdk.XunitException($"worker {w.Id} logged no \"Stopped after\" line:\n{w.Log[^Math.Min(w.Log.Length, 2000)..]}")).ToList();
        var hashes = await KeptWallet.HashesAsync(engine, walletVolume);
        output.WriteLine($"destroy: {stopped.Count} containers exited 0; workers added {string.Join(" + ", added)} = {added.Sum()} units; the kept wallet holds {hashes} hashes");
        Assert.Equal(added.Sum(), hashes);
    }

    /// <summary>Destroy with RemoveVolumes takes the kept wallet; a destroy after it finds nothing, says so and fails.</summary>
    private async Task AssertRemovesTheWalletThenFindsNothingAsync(string project, int port, string folder, string label)
    {
        var removed = await StepAsync("destroy", project, port, folder, "--Deploy:RemoveVolumes=true");
        Assert.True(removed.ExitCode == 0, removed.Output);
        Assert.Contains("the wallet is gone", removed.Output, StringComparison.Ordinal);
        Assert.Empty(await ListAsync("volume", "ls", "-q", "--filter", $"label={label}"));

        var nothing = await StepAsync("destroy", project, port, folder);
        Assert.NotEqual(0, nothing.ExitCode);
        Assert.Contains("Nothing to remove", nothing.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Removed the", nothing.Output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> StepAsync(string step, string project, int port, string folder, params string[] more)
    {
        var readme = step switch { "deploy" => ReadmeCommands.Deploy, "swarm deploy" => ReadmeCommands.SwarmDeploy, _ => ReadmeCommands.Destroy };
        var info = BuiltProgram.StartInfo("BrkCoin.AppHost", readme.AppHostArgumentsWith(folder,
        [
            "--Deploy:Project", project,
            "--Deploy:BaseImage", engine.BaseImage,
            "--Deploy:NativeBaseImage", engine.NativeBaseImage,
            "--Deploy:RedisImage", engine.RedisImage,
            "--Deploy:WebUiAddress", "127.0.0.1",
            "--Deploy:WebUiPort", port.ToString(CultureInfo.InvariantCulture),
            .. more,
        ]),
        new Dictionary<string, string> { ["DOCKER_HOST"] = engine.DockerHost });
        var started = DateTimeOffset.UtcNow;
        var result = await BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(15));
        output.WriteLine($"{step} ({project}): exit {result.ExitCode} after {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s");
        return result;
    }

    private async Task<string> RedisContainerAsync(string project) =>
        Assert.Single(await ListAsync("ps", "-q", "--filter", $"label=com.docker.compose.project={project}", "--filter", "label=com.docker.compose.service=redis"));

    /// <summary>Every coin in the wallet, read inside the Redis container with the password from its environment.</summary>
    private async Task<Dictionary<string, byte[]>> WalletAsync(string project)
    {
        var (exitCode, text) = await engine.RunAsync("docker",
            ["exec", await RedisContainerAsync(project), "sh", "-c", "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --no-raw HGETALL wallet"],
            TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, text);
        return RedisCliReply.Pairs(text);
    }

    private async Task<List<string>> ListAsync(params string[] arguments) =>
        [.. (await engine.DockerAsync(arguments)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static async Task<WalletJson> JsonAsync(HttpClient page)
    {
        try
        {
            return (await page.GetFromJsonAsync<WalletJson>("/json", Cancel))!;
        }
        catch (HttpRequestException)
        {
            return new WalletJson(-1, -1, 0);
        }
    }
}
