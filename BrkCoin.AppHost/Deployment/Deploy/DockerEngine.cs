namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>The Docker engine the user points at (DOCKER_HOST, else the default socket).</summary>
public sealed class DockerEngine(CommandRunner runner)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);

    public CommandRunner Runner => runner;

    public static string Where => Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
        ? $"DOCKER_HOST={host}"
        : "the default socket (set DOCKER_HOST to use another engine)";

    /// <summary>
    /// The host a published port answers on: the address it is bound to, else the engine's own
    /// host (a tcp:// or ssh:// DOCKER_HOST), else this machine.
    /// </summary>
    public static string PageHost(string boundAddress)
    {
        if (boundAddress.Length > 0 && boundAddress != "0.0.0.0" && boundAddress != "[::]")
        {
            return boundAddress;
        }

        return Uri.TryCreate(Environment.GetEnvironmentVariable("DOCKER_HOST"), UriKind.Absolute, out var host)
            && host.Scheme is "tcp" or "ssh" && host.Host.Length > 0
                ? host.Host
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
    /// Removes containers one at a time. Debian's dockerd 20.10 deadlocks its network store when
    /// many containers on one network leave it at once (as `down` or `stack rm` make them), and
    /// every later engine call then hangs.
    /// </summary>
    public async Task RemoveOneByOneAsync(IEnumerable<string> containers)
    {
        foreach (var container in containers)
        {
            await runner.RunAsync("docker", ["rm", "--force", container], CallTimeout);
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
