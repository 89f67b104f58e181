using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Tooling;

/// <summary>
/// eng/engine.sh refuses a registry port someone else holds rather than taking the listener for
/// its registry (root would then pull base images from whoever holds it). Run in a network
/// namespace of the test's own, on an engine folder of its own (BRKCOIN_ENGINE_HOME): the port is
/// taken there first, and even a script that failed to refuse would start nothing on this
/// machine's own network. No dockerd runs when the refusal works.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EngineRegistryPortTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("brkcoin-engine-port-");

    [Fact]
    public async Task A_registry_port_someone_else_holds_is_refused_before_anything_starts()
    {
        Prerequisite.Require(Environment.UserName == "root" ? null : "a network namespace of the test's own needs root.");
        Prerequisite.Require(Tool.Find("python3") is null ? "python3 holds the port (apt-get install python3)." : null);
        var home = Path.Combine(_scratch.FullName, "engine");
        var script = Path.Combine(RepositoryRoot.Path, "eng", "engine.sh");

        // The listener is up before the script runs (ss shows it), and stays until the script ends.
        var info = new ProcessStartInfo("unshare",
        [
            "--net", "bash", "-c",
            "ip link set lo up && " +
            "python3 -c 'import socket, time; s = socket.socket(); s.bind((\"127.0.0.1\", 5055)); s.listen(); time.sleep(120)' & " +
            "for _ in $(seq 1 100); do ss -ltnH 'sport = :5055' | grep -q . && break; sleep 0.1; done; " +
            $"bash {script} start; status=$?; " +
            $"echo \"dockerd pid file: $(ls {home}/dockerd.pid 2>/dev/null || echo none)\"; kill %1; exit $status",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["BRKCOIN_ENGINE_HOME"] = home;
        info.Environment["BRKCOIN_REGISTRY_PORT"] = "5055";

        var (exitCode, output) = await BuiltProgram.RunAsync(info, TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Matches(@"refusing to start docker-registry: port 5055 is taken already, by PID \d+ \(root python3", output);
        Assert.Contains("dockerd pid file: none", output);
    }

    public void Dispose() => _scratch.Delete(recursive: true);
}
