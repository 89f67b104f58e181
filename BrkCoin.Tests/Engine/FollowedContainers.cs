using System.Globalization;
using System.Text.RegularExpressions;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// Containers watched through a destroy (or a deploy that recreates them), which removes them and
/// their logs: each one's log is followed (<c>docker logs -f</c>) and its exit code awaited
/// (<c>docker wait</c>) from before, and read once it has stopped.
/// </summary>
public sealed partial class FollowedContainers
{
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(30);
    private readonly List<(string Id, string Service, Task<(int ExitCode, string Output)> Log, Task<(int ExitCode, string Output)> Exit)> _followed = [];
    private readonly DockerEngineFixture _engine;
    private readonly string _label;
    private readonly string _serviceLabel;

    private FollowedContainers(DockerEngineFixture engine, string label, string serviceLabel) =>
        (_engine, _label, _serviceLabel) = (engine, label, serviceLabel);

    /// <summary>
    /// Starts following the running containers with <paramref name="label"/>; each one's service
    /// is the value of its label <paramref name="serviceLabel"/>.
    /// </summary>
    public static async Task<FollowedContainers> StartAsync(DockerEngineFixture engine, string label, string serviceLabel)
    {
        var followed = new FollowedContainers(engine, label, serviceLabel);
        await followed.FollowNewAsync();
        return followed;
    }

    /// <summary>Follows the running containers that have come since (a deploy that recreated some).</summary>
    public async Task FollowNewAsync()
    {
        var containers = (await _engine.DockerAsync("ps", "--filter", $"label={_label}", "--filter", "status=running", "--format", $"{{{{.ID}}}} {{{{.Label \"{_serviceLabel}\"}}}}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2))
            .Where(pair => _followed.All(f => f.Id != pair[0]));
        _followed.AddRange(containers.Select(pair => (pair[0], pair[1],
            _engine.RunAsync("docker", ["logs", "-f", pair[0]], Longest),
            _engine.RunAsync("docker", ["wait", pair[0]], Longest))));
    }

    /// <summary>Each container's service, exit code and whole log, once all have stopped (within <paramref name="deadline"/>).</summary>
    public async Task<List<(string Id, string Service, int ExitCode, string Log)>> StoppedAsync(TimeSpan deadline)
    {
        var all = _followed.SelectMany(f => new[] { f.Log, f.Exit });
        await Task.WhenAll(all).WaitAsync(deadline, TestContext.Current.CancellationToken);
        return [.. _followed.Select(f => (f.Id, f.Service,
            int.TryParse(f.Exit.Result.Output.Trim(), CultureInfo.InvariantCulture, out var code) ? code : -1,
            f.Log.Result.Output))];
    }

    /// <summary>
    /// From a worker's log, its audit line "Stopped after {units} units of work; {pending} not
    /// added to the hash counter": the units it added to <c>hashes</c>, or null without the line.
    /// </summary>
    public static long? UnitsAdded(string log) =>
        StoppedLine().Matches(log) is { Count: 1 } found
            ? long.Parse(found[0].Groups["units"].Value, CultureInfo.InvariantCulture) - long.Parse(found[0].Groups["pending"].Value, CultureInfo.InvariantCulture)
            : null;

    [GeneratedRegex(@"Stopped after (?<units>\d+) units of work; (?<pending>\d+) not added to the hash counter")]
    private static partial Regex StoppedLine();
}
