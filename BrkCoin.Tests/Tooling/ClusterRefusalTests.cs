using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Tooling;

/// <summary>
/// eng/cluster.sh refuses, with a clear line and before it makes anything, to start where it
/// cannot: not root, a tool missing, its address range taken; and arguments that are not a node
/// count (start) or a node of the cluster (kill, revive), as usage errors (exit 2). Each case runs `start` on a cluster
/// folder of the test's own (BRKCOIN_CLUSTER_HOME), and the taken range is made inside a network
/// namespace of the test's own, so a cluster that may be running meanwhile is not touched.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClusterRefusalTests : IDisposable
{
    private static readonly string Script = Path.Combine(RepositoryRoot.Path, "eng", "cluster.sh");
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("brkcoin-cluster-refusal-");

    private string Home => Path.Combine(_scratch.FullName, "cluster");

    [Fact]
    public async Task Without_root_it_says_so_and_makes_nothing()
    {
        Prerequisite.Require(Environment.UserName == "root" ? null : "only root can run the script as another user.");

        // The script's text, not its path: the checkout may be in a folder only root can read.
        var text = await File.ReadAllTextAsync(Script, TestContext.Current.CancellationToken);
        var (exitCode, output) = await RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "bash", "-c", text, "cluster.sh", "start"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("needs root", output);
        Assert.False(Directory.Exists(Home));
    }

    [Fact]
    public async Task A_missing_tool_is_named_with_the_package_to_install()
    {
        Prerequisite.Require(Environment.UserName == "root" ? null : "the script refuses non-root users first.");
        // Every program of this machine but docker-registry.
        var bin = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "bin")).FullName;
        foreach (var program in new[] { "/usr/bin", "/bin" }.Where(Directory.Exists).SelectMany(Directory.EnumerateFiles))
        {
            var link = Path.Combine(bin, Path.GetFileName(program));
            if (Path.GetFileName(program) != "docker-registry" && !File.Exists(link))
            {
                File.CreateSymbolicLink(link, program);
            }
        }

        // In a network namespace of its own, so that even a script that failed to refuse would
        // make nothing on the machine's own network.
        var (exitCode, output) = await RunAsync("unshare", ["--net", "bash", Script, "start"], path: $"{bin}:/usr/sbin:/sbin");

        Assert.Equal(1, exitCode);
        Assert.Matches("missing [a-z -]*docker-registry", output);
        Assert.Contains("apt-get install", output);
        Assert.False(Directory.Exists(Home));
    }

    [Fact]
    public async Task An_address_range_in_use_is_refused_before_anything_is_made()
    {
        Prerequisite.Require(Environment.UserName == "root" ? null : "a network namespace of the test's own needs root.");
        // A namespace of the test's own where an interface already holds an address of the range.
        var (exitCode, output) = await RunAsync("unshare",
        [
            "--net", "sh", "-c",
            $"ip link add taken0 type bridge && ip addr add 10.213.99.7/24 dev taken0 && BRKCOIN_CLUSTER_NET=10.213.99 bash {Script} start; " +
            "status=$?; echo \"bridges made: $(ip -o link show | grep -c brkcoin0)\"; exit $status",
        ]);

        Assert.Equal(1, exitCode);
        Assert.Contains("the address range 10.213.99.0/24 is taken", output);
        // No bridge was made in that namespace, and no cluster folder.
        Assert.Contains("bridges made: 0", output);
        Assert.False(Directory.Exists(Home));
    }

    [Theory]
    [InlineData("kill", "x")]
    [InlineData("kill", "1.*")]
    [InlineData("kill", "01")]
    [InlineData("kill", "0")]
    [InlineData("kill", "4")]
    [InlineData("kill", "")]
    [InlineData("revive", "../1")]
    [InlineData("revive", "4")]
    public async Task A_node_number_that_is_not_one_of_the_cluster_is_refused_as_a_usage_error(string command, string node)
    {
        // A cluster folder of the test's own that says three nodes are up, and nothing else: a
        // script that took the argument would find no engine and fail otherwise (exit 1).
        Directory.CreateDirectory(Home);
        await File.WriteAllTextAsync(Path.Combine(Home, "nodes"), "3\n", TestContext.Current.CancellationToken);

        var (exitCode, output) = await RunAsync("bash", [Script, command, node]);

        Assert.Equal(2, exitCode);
        Assert.Contains($"K must be a node number", output);
        Assert.Contains($"'{node}'", output);
    }

    [Fact]
    public async Task A_node_number_without_a_cluster_is_refused_as_a_usage_error()
    {
        var (exitCode, output) = await RunAsync("bash", [Script, "kill", "1"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("no cluster is up", output);
        Assert.False(Directory.Exists(Home));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("3;id")]
    [InlineData("")]
    public async Task A_node_count_out_of_range_is_refused_before_anything_is_made(string count)
    {
        // In a network namespace of its own: even a script that failed to refuse makes nothing on
        // the machine's own network.
        var (exitCode, output) = await RunAsync("unshare", ["--net", "bash", Script, "start", count]);

        Assert.Equal(2, exitCode);
        Assert.Contains($"N must be 1 to 5, not '{count}'", output);
        Assert.False(Directory.Exists(Home));
    }

    public void Dispose() => _scratch.Delete(recursive: true);

    private Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string? path = null)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The scratch folder is private to root: another user must not need it.
            WorkingDirectory = "/",
        };
        info.Environment["BRKCOIN_CLUSTER_HOME"] = Home;
        if (path is not null)
        {
            info.Environment["PATH"] = path;
        }

        return BuiltProgram.RunAsync(info, TimeSpan.FromSeconds(60));
    }
}
