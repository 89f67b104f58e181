using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>
/// The Docker engine at <paramref name="host"/> (a DOCKER_HOST value; empty for the default
/// socket), driven through <paramref name="runner"/>, which hands the same DOCKER_HOST to every tool.
/// </summary>
public sealed class DockerEngine(CommandRunner runner, string host)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);

    public CommandRunner Runner => runner;

    /// <summary>DOCKER_HOST of this engine; empty for the default socket.</summary>
    public string Host => host;

    /// <summary>The engine of this shell: DOCKER_HOST when set, else the default socket.</summary>
    public static DockerEngine OfEnvironment(ILogger logger, CancellationToken cancellationToken) =>
        At(Environment.GetEnvironmentVariable("DOCKER_HOST") ?? string.Empty, logger, cancellationToken);

    public static DockerEngine At(string host, ILogger logger, CancellationToken cancellationToken) =>
        new(new CommandRunner(logger, cancellationToken, host.Length > 0 ? new Dictionary<string, string> { ["DOCKER_HOST"] = host } : null), host);

    public string Where => host.Length > 0
        ? $"DOCKER_HOST={host}"
        : "the default socket (set DOCKER_HOST to use another engine)";

    /// <summary>
    /// The host a published port answers on: the address it is bound to, else the engine's own
    /// host (a tcp:// or ssh:// DOCKER_HOST), else this machine.
    /// </summary>
    public string PageHost(string boundAddress)
    {
        if (boundAddress.Length > 0 && boundAddress != "0.0.0.0" && boundAddress != "[::]")
        {
            return boundAddress;
        }

        return Uri.TryCreate(host, UriKind.Absolute, out var address)
            && address.Scheme is "tcp" or "ssh" && address.Host.Length > 0
                ? address.Host
                : "localhost";
    }

    /// <summary>Fails with where it looked when no engine answers.</summary>
    public async Task CheckAnswersAsync()
    {
        var version = await runner.RunAsync("docker", ["version", "--format", "{{.Server.Version}}"], CallTimeout);
        if (version.ExitCode != 0 || version.Output.Trim().Length == 0)
        {
            throw new DeployFailedException($"No Docker engine answers at {Where}:\n{version.Output.Trim()}");
        }
    }

    public Task<string> DockerAsync(string what, params string[] arguments) =>
        runner.RunCheckedAsync(what, "docker", arguments, CallTimeout);

    /// <summary>The lines a docker listing printed, one entry each.</summary>
    public async Task<List<string>> ListAsync(string what, params string[] arguments) =>
        [.. (await DockerAsync(what, arguments)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>
    /// Stops containers one at a time, each with its own grace (the stop timeout Compose gives it
    /// from stop_grace_period): SIGTERM, then SIGKILL only once the grace is over. One at a time
    /// because Debian's dockerd 20.10 deadlocks its network store when many containers on one
    /// network leave it at once (as `down` or `stack rm` make them), and every later engine call
    /// then hangs.
    /// </summary>
    public async Task StopOneByOneAsync(IEnumerable<string> containers)
    {
        foreach (var container in containers)
        {
            await DockerAsync("Stopping a container", "stop", container);
        }
    }

    /// <summary>
    /// Removes stopped containers one at a time; a running one is refused by the engine, never
    /// killed. One already gone counts as removed: after `stack rm` Swarm's agent removes task
    /// containers itself, and may take one between the listing and this call.
    /// </summary>
    public async Task RemoveOneByOneAsync(IEnumerable<string> containers)
    {
        foreach (var container in containers)
        {
            var removed = await runner.RunAsync("docker", ["rm", container], CallTimeout);
            if (removed.ExitCode != 0 && !removed.Output.Contains("No such container", StringComparison.Ordinal))
            {
                throw new DeployFailedException($"Removing a stopped container failed (docker rm {container}):\n{removed.Output.Trim()}");
            }
        }
    }

    /// <summary>Polls <paramref name="read"/> until it returns no problems, or fails with the last ones at the deadline.</summary>
    public static async Task WaitUntilAsync(Func<Task<IReadOnlyList<string>>> read, TimeSpan deadline, string what, string leftRunning, CancellationToken cancellationToken)
    {
        var until = DateTimeOffset.UtcNow + deadline;
        IReadOnlyList<string> problems;
        while (true)
        {
            problems = await read();
            if (problems.Count == 0)
            {
                return;
            }

            if (DateTimeOffset.UtcNow >= until)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        throw new DeployFailedException(
            $"Not {what} within {deadline}:\n  {string.Join("\n  ", problems)}\n{leftRunning}");
    }
}
