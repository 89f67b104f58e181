using System.Globalization;
using BrkCoin.WebUi.Workshop;

namespace BrkCoin.WebUi.Lesson;

/// <summary>
/// The miner's shape and knobs as the audience names them ("10 workers", "5 rng", "cap off"), part
/// by part, so that a change of any part becomes a labelled mark on the speed chart. Pure: no
/// clock, no Redis.
/// </summary>
/// <param name="Parts">Each part's name and its label, in the order the marks say them.</param>
public sealed record LessonShape(IReadOnlyList<(string Part, string Label)> Parts)
{
    private const string WorkersPart = "workers";

    /// <summary>What the workshop's commands last set (run mode): every part a command can change.</summary>
    public static LessonShape FromWorkshop(WorkshopSettings settings) => new(
    [
        .. Part(WorkersPart, settings.Workers, n => Say(n, "worker", "workers")),
        .. Part("rng", settings.RngReplicas, n => $"{n} rng"),
        .. Part("hasher", settings.HasherReplicas, n => Say(n, "hasher", "hashers")),
        .. Part("rng-latency", settings.RngLatency, latency => $"rng {Ms(latency)}"),
        .. Part("rng-cap", settings.RngConcurrentRequests, cap => cap == 0 ? "cap off" : cap == 1 ? "cap on" : $"cap {cap}"),
        .. Part("hasher-latency", settings.HasherLatency, latency => $"hasher {Ms(latency)}"),
    ]);

    /// <summary>What any deployment's page can see for itself: how many workers report.</summary>
    public static LessonShape FromLiveWorkers(int workers) => new([(WorkersPart, Say(workers, "worker", "workers"))]);

    /// <summary>One "part=label" a line, the form kept in Redis.</summary>
    public string Encode() => string.Join('\n', Parts.Select(p => $"{p.Part}={p.Label}"));

    public static LessonShape Decode(string? text) => new(
    [
        .. (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .Select(pair => (pair[0], pair[1])),
    ]);

    /// <summary>
    /// The mark for going from <paramref name="earlier"/> to this shape: the labels of the parts
    /// that changed ("10 workers", "hasher 100 ms · 1 hasher"), or null when none did. The very
    /// first shape seen is marked by its workers, where every lesson starts.
    /// </summary>
    public string? MarkSince(LessonShape? earlier)
    {
        if (earlier is null || earlier.Parts.Count == 0)
        {
            return Parts.FirstOrDefault(p => p.Part == WorkersPart).Label;
        }

        var changed = Parts
            .Where(part => earlier.Parts.FirstOrDefault(e => e.Part == part.Part).Label != part.Label)
            .Select(part => part.Label)
            .ToList();
        return changed.Count == 0 ? null : string.Join(" · ", changed);
    }

    private static IEnumerable<(string, string)> Part<T>(string part, T? value, Func<T, string> label) where T : struct =>
        value is { } known ? [(part, label(known))] : [];

    private static string Say(int count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    private static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0} ms");
}
