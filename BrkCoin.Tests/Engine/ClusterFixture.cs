using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The workshop's cluster of <c>eng/cluster.sh</c>: three nodes, each a dockerd in network
/// namespaces the script makes, three managers, a registry inside the cluster's network holding
/// BrkCoin's images. Started once for its class (after the engine fixture, whose registry holds
/// the base images) and stopped by the script, which removes everything it made.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private static readonly string Script = Path.Combine(RepositoryRoot.Path, "eng", "cluster.sh");

    public const int Nodes = 3;

    public string? Missing { get; private set; }

    public string Registry { get; private set; } = string.Empty;

    public string RedisImage { get; private set; } = string.Empty;

    /// <summary>The node's address on the cluster's bridge: where its published ports answer.</summary>
    public string AddressOf(int node) => $"{Environment.GetEnvironmentVariable("BRKCOIN_CLUSTER_NET") ?? "10.213.77"}.{10 + node}";

    public static string SocketOf(int node) =>
        $"unix://{Environment.GetEnvironmentVariable("BRKCOIN_CLUSTER_HOME") ?? "/run/brkcoin-cluster"}/node{node}/docker.sock";

    public async ValueTask InitializeAsync()
    {
        Missing = MissingPrerequisite();
        if (Missing is not null)
        {
            return;
        }

        // A cluster an earlier, killed run left would refuse a new start: take it down first.
        await RunAsync("bash", [Script, "stop"], TimeSpan.FromMinutes(2));
        var (exitCode, output) = await RunAsync("bash", [Script, "start", Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(15));
        Assert.True(exitCode == 0, $"eng/cluster.sh start failed:\n{output}");

        var exports = (await RunAsync("bash", [Script, "env"], TimeSpan.FromSeconds(30))).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Replace("export ", string.Empty, StringComparison.Ordinal).Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        Registry = exports["BRKCOIN_CLUSTER_REGISTRY"];
        RedisImage = exports["BRKCOIN_REDIS_IMAGE"];
    }

    public async ValueTask DisposeAsync()
    {
        if (Missing is null)
        {
            await RunAsync("bash", [Script, "stop"], TimeSpan.FromMinutes(3));
        }
    }

    public Task<(int ExitCode, string Output)> ScriptAsync(params string[] arguments) =>
        RunAsync("bash", [Script, .. arguments], TimeSpan.FromMinutes(3));

    /// <summary>docker against one node's engine; fails the test with its output when it fails.</summary>
    public async Task<string> DockerAsync(int node, params string[] arguments)
    {
        var (exitCode, output) = await DockerRawAsync(node, arguments);
        Assert.True(exitCode == 0, $"docker (node{node}) {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }

    public Task<(int ExitCode, string Output)> DockerRawAsync(int node, params string[] arguments) =>
        RunAsync("docker", arguments, TimeSpan.FromMinutes(3), dockerHost: SocketOf(node));

    /// <summary>The one way this fixture runs a program: the script under bash, or docker against one node.</summary>
    private static Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, TimeSpan timeout, string? dockerHost = null)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        if (dockerHost is not null)
        {
            info.Environment["DOCKER_HOST"] = dockerHost;
        }

        return BuiltProgram.RunAsync(info, timeout);
    }

    private static string? MissingPrerequisite()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return "The cluster needs root on Linux (network namespaces, a bridge, dockerd).";
        }

        var missing = new[] { "dockerd", "docker", "docker-registry", "debootstrap", "ip", "nsenter", "unshare", "iptables" }
            .Where(tool => Tool.Find(tool) is null)
            .ToList();
        return missing.Count == 0 ? null : $"Missing {string.Join(", ", missing)} (apt-get install docker.io docker-registry debootstrap iproute2 iptables).";
    }
}
