using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The private Docker Engine of <c>eng/engine.sh</c> (dockerd on its own socket, a loopback
/// registry, Debian base images) with BrkCoin's four images built by the SDK. Started once for
/// every class of the "docker engine" collection and stopped by PID afterwards, unless it was
/// already running when the tests began.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    private static readonly string Script = System.IO.Path.Combine(RepositoryRoot.Path, "eng", "engine.sh");
    private bool _startedHere;

    public string? Missing { get; private set; }

    public string DockerHost { get; private set; } = string.Empty;

    /// <summary>Debian's redis-server as an image, under its own name.</summary>
    public string RedisImage { get; private set; } = string.Empty;

    /// <summary>The base the SDK builds the web UI's image on, offline: a lean JIT base with bash.</summary>
    public string BaseImage { get; private set; } = string.Empty;

    /// <summary>A Debian minbase with coreutils and bash, for the tests' helper containers.</summary>
    public string ToolsImage { get; private set; } = string.Empty;

    /// <summary>The base of the natively compiled services: their libraries, no shell.</summary>
    public string NativeBaseImage { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        Missing = MissingPrerequisite();
        if (Missing is not null)
        {
            return;
        }

        _startedHere = (await RunAsync("bash", [Script, "status"], TimeSpan.FromSeconds(30))).ExitCode != 0;

        // An engine this fixture starts begins empty: containers, networks or a swarm left by an
        // earlier run that was killed would skew the figures, and a network store left half
        // written once made every later dockerd start panic. An engine already running is used as is.
        await RunCheckedAsync("bash", _startedHere ? [Script, "start", "--fresh"] : [Script, "start"], TimeSpan.FromMinutes(10));
        await RunCheckedAsync("bash", [Script, "images"], TimeSpan.FromMinutes(10));

        var exports = (await RunCheckedAsync("bash", [Script, "env"], TimeSpan.FromSeconds(30)))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Replace("export ", string.Empty, StringComparison.Ordinal).Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        DockerHost = exports["DOCKER_HOST"];
        RedisImage = exports["BRKCOIN_REDIS_IMAGE"];
        BaseImage = exports["BRKCOIN_BASE_IMAGE"];
        NativeBaseImage = exports["BRKCOIN_NATIVE_BASE_IMAGE"];
        ToolsImage = exports["BRKCOIN_TOOLS_IMAGE"];
    }

    public async ValueTask DisposeAsync()
    {
        if (Missing is null && _startedHere)
        {
            await RunAsync("bash", [Script, "stop"], TimeSpan.FromMinutes(2));
        }
    }

    /// <summary>Runs a command against this engine (DOCKER_HOST set); returns exit code and output.</summary>
    public Task<(int ExitCode, string Output)> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (DockerHost.Length > 0)
        {
            info.Environment["DOCKER_HOST"] = DockerHost;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return BuiltProgram.RunAsync(info, timeout);
    }

    /// <summary>As <see cref="RunAsync"/>, failing the test with the output when the command fails.</summary>
    public async Task<string> RunCheckedAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var list = arguments.ToList();
        var (exitCode, output) = await RunAsync(program, list, timeout, workingDirectory);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', list)} exited {exitCode}:\n{output}");
        return output;
    }

    public Task<string> DockerAsync(params string[] arguments) => RunCheckedAsync("docker", arguments, TimeSpan.FromMinutes(2));

    private static string? MissingPrerequisite()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return "The real-engine tests start dockerd, which needs root on Linux.";
        }

        var missing = new[] { "dockerd", "docker", "docker-registry", "debootstrap", "docker-compose" }
            .Where(tool => Tool.Find(tool) is null)
            .ToList();
        return missing.Count == 0
            ? null
            : $"Missing {string.Join(", ", missing)} (apt-get install docker.io docker-registry debootstrap docker-compose).";
    }
}

// Alone, after the rest of the suite: the workshop figures are measured on the real engine, and
// a fault-injection run beside them on two cores once pulled 10 workers down to 9.03 hashes/s.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DockerEngineCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "docker engine";
}
