using BrkCoin.AppHost.Deployment;
using BrkCoin.AppHost.Deployment.Deploy;
using BrkCoin.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// Destroy takes down what deploy recorded (deployed.json beside the files), not what today's
/// settings would deploy; a setting or DOCKER_HOST given explicitly wins; the files step leaves
/// the record alone; and a destroy that finds nothing says so and fails.
/// </summary>
public sealed class DeploymentRecordTests
{
    private static readonly DeploymentRecord SwarmOnAnotherEngine = new("swarm", "coins", "unix:///run/other.sock");

    [Fact]
    public async Task The_record_reads_back_as_written()
    {
        var folder = Directory.CreateTempSubdirectory("brkcoin-record-").FullName;
        try
        {
            Assert.Null(DeploymentRecord.Read(folder));
            await SwarmOnAnotherEngine.WriteAsync(folder, TestContext.Current.CancellationToken);
            Assert.Equal(SwarmOnAnotherEngine, DeploymentRecord.Read(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Destroy_takes_the_recorded_target_project_and_engine_over_the_defaults()
    {
        var destroyed = DeploymentRecord.ForDestroy(SwarmOnAnotherEngine, new DeploymentSettings(), Given(), dockerHost: null);

        Assert.Equal(SwarmOnAnotherEngine, destroyed);
    }

    [Fact]
    public void A_setting_or_DOCKER_HOST_given_explicitly_overrides_the_record()
    {
        var settings = new DeploymentSettings { Target = "compose", Project = "other" };

        Assert.Equal(new DeploymentRecord("compose", "coins", SwarmOnAnotherEngine.Engine),
            DeploymentRecord.ForDestroy(SwarmOnAnotherEngine, settings, Given(("Deploy:Target", "compose")), dockerHost: null));
        Assert.Equal(new DeploymentRecord("swarm", "other", SwarmOnAnotherEngine.Engine),
            DeploymentRecord.ForDestroy(SwarmOnAnotherEngine, settings, Given(("Deploy:Project", "other")), dockerHost: null));
        Assert.Equal(SwarmOnAnotherEngine with { Engine = "tcp://10.0.0.5:2375" },
            DeploymentRecord.ForDestroy(SwarmOnAnotherEngine, settings, Given(), dockerHost: "tcp://10.0.0.5:2375"));
    }

    [Fact]
    public void Without_a_record_destroy_takes_the_settings_and_the_shell_s_engine()
    {
        var settings = new DeploymentSettings { Target = "swarm", Project = "mine" };

        Assert.Equal(new DeploymentRecord("swarm", "mine", string.Empty), DeploymentRecord.ForDestroy(null, settings, Given(), dockerHost: null));
        Assert.Equal(new DeploymentRecord("swarm", "mine", "unix:///x.sock"), DeploymentRecord.ForDestroy(null, settings, Given(), dockerHost: "unix:///x.sock"));
    }

    [Theory]
    [InlineData("""{"target":"kubernetes","project":"brkcoin","engine":""}""")]
    [InlineData("""{"target":"swarm","project":"Not A Project","engine":""}""")]
    [InlineData("not json")]
    public void A_record_deploy_did_not_write_is_refused_with_what_to_do(string text)
    {
        var folder = Directory.CreateTempSubdirectory("brkcoin-record-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, DeploymentRecord.FileName), text);
            var refused = Assert.Throws<DeployFailedException>(() => DeploymentRecord.Read(folder));
            Assert.Contains("is not a record deploy wrote", refused.Message, StringComparison.Ordinal);
            Assert.Contains("--Deploy:Target", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_files_step_leaves_the_record_alone_and_destroy_goes_to_the_recorded_engine()
    {
        var folder = Directory.CreateTempSubdirectory("brkcoin-record-").FullName;
        var socket = Path.Combine(folder, "recorded-engine.sock");
        try
        {
            var recorded = new DeploymentRecord("swarm", "coins", $"unix://{socket}");
            await recorded.WriteAsync(folder, TestContext.Current.CancellationToken);
            var written = File.ReadAllText(Path.Combine(folder, DeploymentRecord.FileName));

            var publish = await RunAsync(ReadmeCommands.Publish.AppHostArgumentsWith(folder), new Dictionary<string, string>());
            Assert.True(publish.ExitCode == 0, publish.Output);
            Assert.Equal(written, File.ReadAllText(Path.Combine(folder, DeploymentRecord.FileName)));

            // No DOCKER_HOST in the shell: the destroy looks where the record says, for the recorded stack.
            var destroy = await RunAsync(ReadmeCommands.Destroy.AppHostArgumentsWith(folder), new Dictionary<string, string>());
            Assert.NotEqual(0, destroy.ExitCode);
            Assert.Contains($"Destroying the swarm project coins at DOCKER_HOST=unix://{socket}, as deployed.json records", destroy.Output, StringComparison.Ordinal);
            Assert.Contains($"No Docker engine answers at DOCKER_HOST=unix://{socket}", destroy.Output, StringComparison.Ordinal);
            Assert.Equal(written, File.ReadAllText(Path.Combine(folder, DeploymentRecord.FileName)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("compose", "no container or network of the Compose project brkcoin")]
    [InlineData("swarm", "no service, network or container of the Swarm stack brkcoin")]
    public async Task A_destroy_that_finds_nothing_says_so_and_fails(string target, string said)
    {
        // An engine with nothing deployed on it, as the docker CLI reports it: a version, a swarm
        // manager, this node's name, and empty listings.
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("The stand-in docker is a shell script.");
            return;
        }

        var folder = Directory.CreateTempSubdirectory("brkcoin-nothing-").FullName;
        try
        {
            var tools = Directory.CreateDirectory(Path.Combine(folder, "bin")).FullName;
            var docker = Path.Combine(tools, "docker");
            File.WriteAllText(docker, """
                #!/bin/sh
                case "$1 $2" in
                  "version "*) echo 20.10.24 ;;
                  "info "*) echo "active true" ;;
                  "node inspect") echo node-1 ;;
                esac
                exit 0
                """.Replace("\r", string.Empty, StringComparison.Ordinal));
            File.SetUnixFileMode(docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var path = $"{tools}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";

            var destroy = await RunAsync(ReadmeCommands.Destroy.AppHostArgumentsWith(folder, $"--Deploy:Target={target}"),
                new Dictionary<string, string> { ["PATH"] = path, ["DOCKER_HOST"] = "unix:///run/empty.sock" });

            Assert.NotEqual(0, destroy.ExitCode);
            Assert.Contains($"Nothing to remove: {said}", destroy.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Removed", destroy.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IConfiguration Given(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private static Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, Dictionary<string, string> environment)
    {
        var info = BuiltProgram.StartInfo("BrkCoin.AppHost", arguments, environment);
        if (!environment.ContainsKey("DOCKER_HOST"))
        {
            info.Environment.Remove("DOCKER_HOST");
        }

        return BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(3));
    }
}
