using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using BrkCoin.AppHost.Deployment.Deploy;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// BrkCoin deployed as a Swarm stack on the three-node cluster of <see cref="ClusterFixture"/>, the
/// way docs/deploy.md tells a user: the AppHost's deploy step, then what a trainer reads of it — where
/// <c>docker stack ps</c> runs each task, the page wherever the web UI runs now, the wallet inside
/// Redis's container, every worker's log on every node. Asked through <see cref="Manager"/>, which
/// the lessons move off a node they are about to lose. Disposed, the stack is removed.
/// </summary>
public sealed partial class ClusterStack(DockerEngineFixture engine, ClusterFixture cluster) : IAsyncDisposable
{
    public const string Name = "brkcoin";

    /// <summary>The node labelled for the wallet: Redis and its volume run there only.</summary>
    public const int WalletNode = 1;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Where the AppHost writes the stack file and its secrets.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("brkcoin-cluster-").FullName;

    /// <summary>The manager the test talks to: node1 until node1 is the one lost.</summary>
    public int Manager { get; set; } = 1;

    /// <summary>What the lessons saw, in the test's output.</summary>
    public static void Say(string line) => TestContext.Current.SendDiagnosticMessage($"cluster: {line}");

    /// <summary>
    /// README's one command, <c>--operation publish --step deploy</c>, with the cluster's
    /// registry and base images; <paramref name="settings"/> are the AppHost's own (<c>--Mining:Workers=1</c>).
    /// </summary>
    public Task<(int ExitCode, string Output)> DeployAsync(params string[] settings) => AppHostStepAsync("deploy", settings);

    /// <summary>
    /// The publish step alone, then <c>docker stack deploy</c> of what it wrote: the stack's shape
    /// changed in place, its images as they run. The deploy step ran each service at the digest it
    /// pushed; the publish step's file names tags, and deployed as written it would roll every
    /// service (ten workers, one by one, each seen twice on the page while it overlaps its successor).
    /// </summary>
    public async Task PublishAndDeployAsync(params string[] settings)
    {
        var publish = await AppHostStepAsync("publish", settings);
        Assert.True(publish.ExitCode == 0, publish.Output);
        await KeepRunningImagesAsync(Path.Combine(Folder, "docker-stack.yaml"));
        var (exitCode, output) = await cluster.DockerRawAsync(Manager, "stack", "deploy", "--resolve-image", "never", "-c", Path.Combine(Folder, "docker-stack.yaml"), Name);
        Assert.True(exitCode == 0, output);
    }

    // Each "image: repository:tag" line of the stack file whose repository a running service
    // already runs pinned ("repository@sha256:…") names that pinned image instead.
    private async Task KeepRunningImagesAsync(string stackFile)
    {
        var services = Lines(await DockerAsync("stack", "services", Name, "--format", "{{.Name}}"));
        var running = services.Count == 0
            ? []
            : Lines(await DockerAsync(["service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", .. services]))
                .Where(image => image.Contains('@', StringComparison.Ordinal))
                .ToDictionary(image => image.Split('@')[0], StringComparer.Ordinal);
        var lines = (await File.ReadAllLinesAsync(stackFile, Cancel)).Select(line =>
        {
            var image = ImageLine().Match(line);
            return image.Success && running.TryGetValue(PushedImages.Repository(image.Groups["image"].Value), out var pinned)
                ? $"{image.Groups["indent"].Value}image: {pinned}"
                : line;
        });
        await File.WriteAllLinesAsync(stackFile, lines, Cancel);
    }

    [GeneratedRegex("^(?<indent> +)image: (?<image>[^ @]+)$")]
    private static partial Regex ImageLine();

    // The one place the AppHost is run against the cluster: README's Swarm deploy or its publish
    // command (read from README.md), with the cluster's registry and images.
    private async Task<(int ExitCode, string Output)> AppHostStepAsync(string step, string[] settings)
    {
        var readme = step == "deploy" ? ReadmeCommands.SwarmDeploy : ReadmeCommands.Publish;
        var info = BuiltProgram.StartInfo("BrkCoin.AppHost", readme.AppHostArgumentsWith(Folder,
        [
            "--Deploy:Project", Name,
            "--Deploy:EndpointMode", "dnsrr",
            "--Deploy:Registry", cluster.Registry,
            "--Deploy:BaseImage", engine.BaseImage,
            "--Deploy:NativeBaseImage", engine.NativeBaseImage,
            "--Deploy:RedisImage", cluster.RedisImage,
            .. settings,
        ]),
        new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = ClusterFixture.SocketOf(Manager),
            // Both registries speak plain HTTP: the SDK must be told (docs/deploy.md).
            ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = $"{cluster.Registry},{engine.BaseImage.Split('/')[0]}",
        });
        var started = DateTimeOffset.UtcNow;
        var result = await BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(15));
        Say($"{step}: exit {result.ExitCode} after {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s");
        return result;
    }

    /// <summary>docker against the manager; fails the test with its output when it fails.</summary>
    public Task<string> DockerAsync(params string[] arguments) => cluster.DockerAsync(Manager, arguments);

    /// <summary>eng/cluster.sh (kill K, revive K); fails the test with its output when it fails.</summary>
    public async Task ScriptAsync(params string[] arguments)
    {
        var (exitCode, output) = await cluster.ScriptAsync(arguments);
        Assert.True(exitCode == 0, $"eng/cluster.sh {string.Join(' ', arguments)}:\n{output}");
    }

    /// <summary>"Ready" or "Down", as the manager sees the node.</summary>
    public async Task<string> NodeStatusAsync(int node) =>
        (await DockerAsync("node", "inspect", $"node{node}", "--format", "{{.Status.State}}")).Trim() switch
        {
            "ready" => "Ready",
            "down" => "Down",
            var other => other,
        };

    /// <summary>Running task → its node, e.g. "worker.3" → "node2" (global tasks by their id).</summary>
    public async Task<Dictionary<string, string>> RunningTasksAsync() =>
        Lines(await DockerAsync("stack", "ps", Name, "--filter", "desired-state=running", "--format", "{{.Name}} {{.Node}} {{.CurrentState}} {{.ID}}"))
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length >= 4 && parts[2] == "Running")
            .ToDictionary(parts => $"{parts[0][(Name.Length + 1)..]}#{parts[^1]}", parts => parts[1]);

    /// <summary>Tasks by node, as "node1: redis worker×2, node2: …".</summary>
    public static string Describe(Dictionary<string, string> tasks) =>
        string.Join(", ", tasks.GroupBy(t => t.Value).OrderBy(g => g.Key).Select(g =>
            $"{g.Key}: {string.Join(' ', g.Select(t => t.Key.Split('#')[0].Split('.')[0]).GroupBy(s => s).Select(s => s.Count() > 1 ? $"{s.Key}×{s.Count()}" : s.Key))}"));

    /// <summary>The page, wherever its task runs now (published on that node's own address).</summary>
    private async Task<Uri> PageAsync()
    {
        var node = (await RunningTasksAsync()).First(t => t.Key.StartsWith("webui", StringComparison.Ordinal)).Value;
        return new Uri($"http://{cluster.AddressOf(int.Parse(node["node".Length..], CultureInfo.InvariantCulture))}:8080");
    }

    /// <summary>The page's /json; -1 hashes and coins while it cannot be read.</summary>
    public async Task<WalletJson> JsonAsync()
    {
        try
        {
            using var client = new HttpClient { BaseAddress = await PageAsync(), Timeout = TimeSpan.FromSeconds(10) };
            return (await client.GetFromJsonAsync<WalletJson>("/json", Cancel))!;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            return new WalletJson(-1, -1, 0);
        }
    }

    /// <summary>What the page says is wrong with the wallet, or null while it reads it (or cannot be reached).</summary>
    public async Task<string?> WalletProblemAsync()
    {
        try
        {
            using var client = new HttpClient { BaseAddress = await PageAsync(), Timeout = TimeSpan.FromSeconds(10) };
            using var response = await client.GetAsync("/api/stats", Cancel);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
            return response.StatusCode switch
            {
                HttpStatusCode.OK when !json.RootElement.GetProperty("walletReachable").GetBoolean() => json.RootElement.GetProperty("problem").GetString(),
                HttpStatusCode.ServiceUnavailable => json.RootElement.GetProperty("detail").GetString(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The page's worker list, read until the node of each live worker matches where Swarm runs
    /// the worker tasks (a worker gone from a node leaves the list within WalletKeys.WorkerExpiry);
    /// returned as "node1: 4, node2: 3, …".
    /// </summary>
    public async Task<string> PageAgreesOnWorkerNodesAsync()
    {
        string Count(IEnumerable<string> nodes) => string.Join(", ", nodes.GroupBy(n => n).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
        var listed = await Eventually.ReturnsAsync(
            async () => (Page: Count(await PageWorkerNodesAsync()), Swarm: Count((await RunningTasksAsync()).Where(t => t.Key.StartsWith("worker", StringComparison.Ordinal)).Select(t => t.Value))),
            seen => seen.Page.Length > 0 && seen.Page == seen.Swarm,
            TimeSpan.FromMinutes(1), "the page to list each worker on the node Swarm runs it on");
        Assert.Contains(", ", listed.Page);
        return listed.Page;
    }

    private async Task<List<string>> PageWorkerNodesAsync()
    {
        using var client = new HttpClient { BaseAddress = await PageAsync(), Timeout = TimeSpan.FromSeconds(10) };
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/stats", Cancel));
        return [.. json.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("node").GetString() ?? "?")];
    }

    /// <summary>Until the page answers and has seen ten seconds of mining.</summary>
    public async Task WarmUpAsync()
    {
        var start = await Eventually.ReturnsAsync(JsonAsync, j => j.Hashes >= 0, TimeSpan.FromMinutes(1), "the page");
        await Eventually.ReturnsAsync(JsonAsync, j => j.Now - start.Now >= 10 && j.Hashes > start.Hashes, TimeSpan.FromMinutes(1), "ten seconds of mining");
    }

    /// <summary>Hashes per second, as the page's figures move over the measuring window.</summary>
    public Task<double> MeasureAsync() => WalletJson.MeasureSpeedAsync(JsonAsync, Window);

    private async Task<string> RedisContainerAsync() =>
        Lines(await cluster.DockerAsync(WalletNode, "ps", "-q", "--filter", $"label=com.docker.swarm.service.name={Name}_redis")).Single();

    private async Task<string> RedisCliAsync(params string[] command)
    {
        var (exitCode, output) = await cluster.DockerRawAsync(WalletNode, ["exec", await RedisContainerAsync(), "sh", "-c",
            $"REDISCLI_AUTH=\"$(cat /run/secrets/REDIS_PASSWORD)\" redis-cli --no-raw {string.Join(' ', command)}"]);
        Assert.True(exitCode == 0, output);
        return output;
    }

    /// <summary>Every coin in the wallet, read inside the Redis container on the wallet's node.</summary>
    public async Task<Dictionary<string, byte[]>> WalletAsync() => RedisCliReply.Pairs(await RedisCliAsync("HGETALL", WalletKeys.Wallet));

    /// <summary>The <c>hashes</c> counter, read inside the Redis container.</summary>
    public async Task<long> HashesAsync() =>
        long.Parse(Regex.Match(await RedisCliAsync("GET", WalletKeys.Hashes), @"\d+").Value, CultureInfo.InvariantCulture);

    /// <summary>Every coin any worker container logged as found, on every node.</summary>
    public async Task<List<string>> LoggedCoinsAsync() =>
        [.. (await WorkerContainersAsync()).SelectMany(w => CoinFound().Matches(w.Log)).Select(m => m.Groups["hash"].Value).Distinct()];

    /// <summary>
    /// The units the worker containers logged as counted: in all, by how many containers, how many
    /// of those a power cut killed (no longer running, and never said it stopped), and the most
    /// their last batches may hold that they had not logged yet.
    /// </summary>
    public async Task<(long Units, int Containers, int Killed, long Slack)> CountedUnitsAsync()
    {
        var workers = await WorkerContainersAsync();
        long Batches(string log) => CountedBatch().Matches(log).Sum(m => long.Parse(m.Groups["units"].Value, CultureInfo.InvariantCulture));
        long LastBatch(string log) => CountedBatch().Matches(log).Select(m => long.Parse(m.Groups["units"].Value, CultureInfo.InvariantCulture)).LastOrDefault();
        // Killed: no longer running, and it never said it stopped.
        var killed = workers.Where(w => !w.Running && !w.Log.Contains("Stopped after", StringComparison.Ordinal)).ToList();
        return (workers.Sum(w => Batches(w.Log)), workers.Count, killed.Count, killed.Sum(w => LastBatch(w.Log)));
    }

    /// <summary>
    /// Every worker container's log, on every node, those a power cut stopped included: `docker
    /// service logs` waits on tasks whose node was lost, so each engine is asked for its own.
    /// </summary>
    private async Task<List<(string Log, bool Running)>> WorkerContainersAsync()
    {
        var workers = new List<(string Log, bool Running)>();
        for (var node = 1; node <= ClusterFixture.Nodes; node++)
        {
            foreach (var line in Lines(await cluster.DockerAsync(node, "ps", "-a", "--format", "{{.ID}} {{.State}}", "--filter", $"label=com.docker.swarm.service.name={Name}_worker")))
            {
                var (_, log) = await cluster.DockerRawAsync(node, "logs", line.Split(' ')[0]);
                workers.Add((log, line.EndsWith(" running", StringComparison.Ordinal)));
            }
        }

        return workers;
    }

    /// <summary>
    /// The published hasher image, changed only in where it listens (ASPNETCORE_URLS takes
    /// precedence over the stack's HTTP_PORTS): the process runs, but the health check, which asks
    /// the published port, never passes. Built on node1 and pushed to the cluster's registry.
    /// </summary>
    public async Task<string> BrokenHasherImageAsync(string published)
    {
        var context = Directory.CreateTempSubdirectory("brkcoin-broken-hasher-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $"FROM {published}\nENV ASPNETCORE_URLS=http://+:9999\n", Cancel);
            // The repository without its tag (a registry's port has a colon too).
            var tag = published.LastIndexOf(':');
            var repository = tag > published.LastIndexOf('/') ? published[..tag] : published;
            var broken = $"{repository}:broken-health";
            await cluster.DockerAsync(1, "build", "--quiet", "-t", broken, context);
            await cluster.DockerAsync(1, "push", broken);
            return broken;
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    public static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public async ValueTask DisposeAsync()
    {
        await cluster.DockerRawAsync(Manager, "stack", "rm", Name);
        Directory.Delete(Folder, recursive: true);
    }

    [GeneratedRegex("Coin found: (?<hash>[0-9a-f]{64})")]
    private static partial Regex CoinFound();

    [GeneratedRegex(@"(?<units>\d+) units of work done, updating hash counter")]
    private static partial Regex CountedBatch();
}
