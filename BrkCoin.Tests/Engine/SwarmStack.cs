using System.Globalization;
using System.Text.Json;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// BrkCoin deployed on a single-node Swarm the way docs/deploy.md tells a user: the publish step writes
/// docker-stack.yaml and .env, <c>docker stack deploy</c> runs it. Swarm publishes ports on every
/// interface, so nothing is published here: the tests read the page from inside the web UI's
/// container, and never reach a container address from the host.
/// </summary>
public sealed class SwarmStack : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly DockerEngineFixture _engine;
    private bool _swarmStartedHere;

    private SwarmStack(DockerEngineFixture engine, string name, string folder)
    {
        _engine = engine;
        Name = name;
        Folder = folder;
    }

    public string Name { get; }

    public string Folder { get; }

    /// <summary>Joins (or starts) a swarm on 127.0.0.1, publishes with <paramref name="publishArguments"/> and deploys the stack.</summary>
    public static async Task<SwarmStack> DeployAsync(DockerEngineFixture engine, string name, IEnumerable<string> publishArguments)
    {
        var folder = Directory.CreateTempSubdirectory($"brkcoin-{name}-").FullName;
        var publish = BuiltProgram.StartInfo("BrkCoin.AppHost", ReadmeCommands.Publish.AppHostArgumentsWith(folder,
        [
            "--Deploy:RedisImage", engine.RedisImage,
            // No IPVS in this kernel: Swarm's virtual IPs cannot balance here (see docs/deploy.md).
            "--Deploy:EndpointMode", "dnsrr",
            "--Deploy:WebUiAddress", "127.0.0.1",
            .. publishArguments,
        ]));
        var (exitCode, log) = await BuiltProgram.RunAsync(publish, TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, $"publish failed ({exitCode}):\n{log}");

        var stack = new SwarmStack(engine, $"brkcoin{name}", folder);

        var state = (await engine.DockerAsync("info", "--format", "{{.Swarm.LocalNodeState}}")).Trim();
        if (state != "active")
        {
            // Overlay subnets of their own, clear of the engine's bridge pool (eng/engine.sh).
            await engine.DockerAsync("swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr", "127.0.0.1:2377", "--default-addr-pool", "10.232.0.0/16");
            stack._swarmStartedHere = true;
        }

        // The wallet runs only where its volume is: on the node labelled for it (the label step in docs/deploy.md).
        var self = (await engine.DockerAsync("info", "--format", "{{.Swarm.NodeID}}")).Trim();
        await engine.DockerAsync("node", "update", "--label-add", "brkcoin.wallet=true", self);

        await stack.StackAsync("deploy", "--resolve-image", "never", "-c", "docker-stack.yaml", stack.Name);
        return stack;
    }

    public Task<string> StackAsync(params string[] arguments) => RunAsync("docker", ["stack", .. arguments]);

    public Task<string> ServiceAsync(params string[] arguments) => RunAsync("docker", ["service", .. arguments]);

    /// <summary>"rng" → "3/3": running and wanted tasks of each of the stack's services.</summary>
    public async Task<Dictionary<string, string>> ReplicasAsync() =>
        (await _engine.DockerAsync("service", "ls", "--filter", $"label=com.docker.stack.namespace={Name}", "--format", "{{.Name}} {{.Replicas}}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2))
            .ToDictionary(pair => pair[0][(Name.Length + 1)..], pair => pair[1].Split(' ')[0]);

    /// <summary>Waits until every service runs all the tasks it wants.</summary>
    public Task<Dictionary<string, string>> WaitConvergedAsync(TimeSpan deadline) =>
        Eventually.ReturnsAsync(
            ReplicasAsync,
            services => services.Count > 0 && services.Values.All(r => r.Split('/') is [var running, var wanted] && running == wanted && running != "0"),
            deadline,
            "every service to run all its tasks");

    /// <summary>Ids of the running tasks of one service: a restarted task has a new id.</summary>
    public async Task<List<string>> RunningTasksAsync(string service) =>
        (await _engine.DockerAsync("service", "ps", "--filter", "desired-state=running", "--format", "{{.ID}} {{.CurrentState}}", $"{Name}_{service}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains(" Running", StringComparison.Ordinal))
            .Select(line => line.Split(' ')[0])
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>A running container of one service, on this (the only) node.</summary>
    public async Task<string> ContainerAsync(string service) =>
        (await _engine.DockerAsync("ps", "-q", "--filter", $"label=com.docker.swarm.service.name={Name}_{service}", "--filter", "status=running"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .First();

    /// <summary>GET <paramref name="path"/> on the web UI, asked from inside its own container.</summary>
    public async Task<(int Status, string Body)> WebUiAsync(string path)
    {
        var webui = await ContainerAsync("webui");
        // HTTP/1.0: the answer ends when the connection closes, with no chunking to undo. Bash's
        // builtins only: the web UI's base holds bash and nothing else to read with (no cat).
        var (exitCode, output) = await _engine.RunAsync("docker",
            ["exec", webui, "bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET {path} HTTP/1.0\\r\\nHost: webui\\r\\n\\r\\n' >&3 && " +
                "while IFS= read -r -t 10 line || [[ -n $line ]]; do printf '%s\\n' \"$line\"; line=; done <&3"],
            TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, output);
        var split = output.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var status = int.Parse(output.Split(' ')[1], CultureInfo.InvariantCulture);
        return (status, split < 0 ? string.Empty : output[(split + 4)..]);
    }

    public async Task<WalletJson> JsonAsync()
    {
        var (status, body) = await WebUiAsync("/json");
        Assert.True(status == 200, $"/json answered {status}: {body}");
        return JsonSerializer.Deserialize<WalletJson>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public Task<double> MeasureSpeedAsync(TimeSpan window) => WalletJson.MeasureSpeedAsync(JsonAsync, window);

    /// <summary>Every coin in the wallet, read inside the Redis container.</summary>
    public async Task<Dictionary<string, byte[]>> WalletAsync()
    {
        var redis = await ContainerAsync("redis");
        var (exitCode, output) = await _engine.RunAsync("docker",
            ["exec", redis, "sh", "-c", "REDISCLI_AUTH=\"$(cat /run/secrets/REDIS_PASSWORD)\" redis-cli --no-raw HGETALL wallet"], TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, output);
        return RedisCliReply.Pairs(output);
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.RunAsync("docker", ["stack", "rm", Name], Timeout);
        // The stack's volume outlives it; wait for its tasks to go, then remove the volume.
        await Eventually.ReturnsAsync(
            async () => (await _engine.RunAsync("docker", ["ps", "-aq", "--filter", $"label=com.docker.stack.namespace={Name}"], TimeSpan.FromSeconds(30))).Output.Trim(),
            output => output.Length == 0,
            TimeSpan.FromMinutes(1),
            "the stack's containers to go");
        await _engine.RunAsync("docker", ["volume", "rm", $"{Name}_redis-data"], TimeSpan.FromSeconds(30));
        if (_swarmStartedHere)
        {
            await _engine.RunAsync("docker", ["swarm", "leave", "--force"], TimeSpan.FromMinutes(1));
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<string> RunAsync(string program, string[] arguments)
    {
        var (exitCode, output) = await _engine.RunAsync(program, arguments, Timeout, Folder);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }
}
