using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// BrkCoin deployed the way docs/deploy.md tells a user: the publish step writes docker-compose.yaml and
/// .env, docker-compose brings them up on the real engine. The web UI is published on a free
/// 127.0.0.1 port, the only way the host talks to the containers.
/// </summary>
public sealed class ComposeProject : IAsyncDisposable
{
    private static readonly TimeSpan ComposeTimeout = TimeSpan.FromMinutes(4);
    private readonly DockerEngineFixture _engine;

    private ComposeProject(DockerEngineFixture engine, string name, string folder, int webUiPort)
    {
        _engine = engine;
        Name = name;
        Folder = folder;
        WebUi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webUiPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Name { get; }

    public string Folder { get; }

    public HttpClient WebUi { get; }

    /// <summary>Publishes the deployment files with <paramref name="publishArguments"/> and runs <c>docker-compose up -d</c>.</summary>
    public static async Task<ComposeProject> UpAsync(DockerEngineFixture engine, string name, IEnumerable<string> publishArguments, params string[] upArguments)
    {
        var folder = Directory.CreateTempSubdirectory($"brkcoin-{name}-").FullName;
        var port = FreePort.OnLoopback();
        var publish = BuiltProgram.StartInfo("BrkCoin.AppHost", ReadmeCommands.Publish.AppHostArgumentsWith(folder,
        [
            "--Deploy:RedisImage", engine.RedisImage,
            "--Deploy:WebUiAddress", "127.0.0.1",
            "--Deploy:WebUiPort", port.ToString(CultureInfo.InvariantCulture),
            .. publishArguments,
        ]));
        var (exitCode, log) = await BuiltProgram.RunAsync(publish, TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, $"publish failed ({exitCode}):\n{log}");

        var project = new ComposeProject(engine, $"brkcoin{name}{Environment.ProcessId}", folder, port);
        await project.ComposeAsync(["up", "-d", .. upArguments]);
        return project;
    }

    public Task<string> ComposeAsync(params string[] arguments) =>
        _engine.RunCheckedAsync("docker-compose", ["-p", Name, .. arguments], ComposeTimeout, Folder);

    /// <summary>Container ids of one service, as Compose knows them.</summary>
    public async Task<List<string>> ContainersAsync(string service) =>
        (await (service.Length == 0 ? ComposeAsync("ps", "-q") : ComposeAsync("ps", "-q", service))).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public async Task<string> InspectAsync(string container, string format) =>
        (await _engine.DockerAsync("inspect", "--format", format, container)).Trim();

    /// <summary>Runs a command inside a container; the exit code says whether it worked.</summary>
    public Task<(int ExitCode, string Output)> ExecAsync(string container, params string[] command) =>
        _engine.RunAsync("docker", ["exec", container, .. command], TimeSpan.FromSeconds(60));

    /// <summary>
    /// Whether <paramref name="from"/> can open a TCP connection to host:port (names resolved as
    /// inside it). Asked by bash in a helper container of the tools image that joins its
    /// network namespace, because the native services' images hold no shell.
    /// </summary>
    public async Task<bool> CanConnectAsync(string from, string host, int port)
    {
        var (exitCode, output) = await _engine.RunAsync("docker",
            ["run", "--rm", "--network", $"container:{from}", _engine.ToolsImage, "timeout", "3", "bash", "-c", $"</dev/tcp/{host}/{port}"],
            TimeSpan.FromSeconds(60));
        // 125 and up: docker itself failed (or bash was missing), which says nothing about the network.
        Assert.True(exitCode < 125, $"the connection check from {from} could not run ({exitCode}): {output}");
        return exitCode == 0;
    }

    /// <summary>The host PID of a container's main process, for <c>kill -9</c> from outside.</summary>
    public async Task<int> HostPidAsync(string container) =>
        int.Parse(await InspectAsync(container, "{{.State.Pid}}"), CultureInfo.InvariantCulture);

    public async Task<WalletJson> JsonAsync()
    {
        using var response = await WebUi.GetAsync("/json");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WalletJson>())!;
    }

    /// <summary>Waits until every container of the project reports healthy.</summary>
    public async Task WaitHealthyAsync(TimeSpan deadline)
    {
        await Eventually.ReturnsAsync(
            async () =>
            {
                var states = new List<string>();
                foreach (var container in await ContainersAsync(string.Empty))
                {
                    states.Add(await InspectAsync(container, "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}"));
                }

                return states;
            },
            states => states.Count > 0 && states.All(s => s.EndsWith(" running healthy", StringComparison.Ordinal)),
            deadline,
            "every container to be healthy");
    }

    /// <summary>Hashes per second over <paramref name="window"/>, from /json as the original's page computes it.</summary>
    public Task<double> MeasureSpeedAsync(TimeSpan window) => WalletJson.MeasureSpeedAsync(JsonAsync, window);

    /// <summary>Every coin in the wallet: hex hash → the random bytes, read inside the Redis container.</summary>
    public async Task<Dictionary<string, byte[]>> WalletAsync()
    {
        var redis = (await ContainersAsync("redis")).Single();
        var (exitCode, output) = await ExecAsync(redis, "sh", "-c", "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --no-raw HGETALL wallet");
        Assert.True(exitCode == 0, output);
        return RedisCliReply.Pairs(output);
    }

    public async ValueTask DisposeAsync()
    {
        WebUi.Dispose();
        // One container at a time before `down`: Debian's dockerd 20.10 deadlocks its network
        // store (libnetwork's watchLoop against a network's lock) when many containers on one
        // network leave it at once, and `down` stops them all in parallel. It hung a CI run after
        // the 16-container workshop project; every later engine call then timed out.
        try
        {
            foreach (var container in await ContainersAsync(string.Empty))
            {
                await _engine.RunAsync("docker", ["rm", "--force", container], TimeSpan.FromMinutes(1));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Listing failed (an assertion on docker-compose's exit code): `down` below still
            // removes whatever is left.
        }

        await _engine.RunAsync("docker-compose", ["-p", Name, "down", "-v", "--timeout", "5"], ComposeTimeout, Folder);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The original's <c>/json</c>.</summary>
public sealed record WalletJson(long Coins, long Hashes, double Now)
{
    /// <summary>Hashes per second between two readings <paramref name="window"/> apart, as the original's page computes it.</summary>
    public static async Task<double> MeasureSpeedAsync(Func<Task<WalletJson>> read, TimeSpan window)
    {
        // Only real readings: a reader that answers "no page" (-1) while the page moves between
        // nodes would otherwise turn into a made-up speed.
        Task<WalletJson> ReadAsync() => Eventually.ReturnsAsync(read, j => j.Hashes >= 0 && j.Now > 0, TimeSpan.FromMinutes(1), "a reading of /json");
        var first = await ReadAsync();
        await Task.Delay(window, TestContext.Current.CancellationToken);
        var second = await ReadAsync();
        return (second.Hashes - first.Hashes) / (second.Now - first.Now);
    }
}
