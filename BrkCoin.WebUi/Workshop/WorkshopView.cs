using System.Globalization;

namespace BrkCoin.WebUi.Workshop;

/// <summary>
/// The shape and knobs the trainer set with the workshop's commands (run mode), read from the
/// live-settings file the AppHost rewrites and rng and hasher follow; null when the web UI runs
/// without one (a deployment), where it cannot know the other services' settings.
/// </summary>
public sealed class WorkshopView(IConfiguration configuration)
{
    public WorkshopSettings? Current =>
        string.IsNullOrEmpty(configuration["LiveSettings:File"])
            ? null
            : new WorkshopSettings(
                Integer("Workshop:Workers"),
                Integer("Workshop:RngReplicas"),
                Integer("Workshop:HasherReplicas"),
                Duration("Rng:Latency"),
                Integer("Rng:ConcurrentRequests"),
                Duration("Hasher:Latency"));

    private int? Integer(string key) =>
        int.TryParse(configuration[key], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private TimeSpan? Duration(string key) =>
        TimeSpan.TryParse(configuration[key], CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>What the workshop's commands last set; a null figure was not given.</summary>
public sealed record WorkshopSettings(
    int? Workers, int? RngReplicas, int? HasherReplicas, TimeSpan? RngLatency, int? RngConcurrentRequests, TimeSpan? HasherLatency)
{
    /// <summary>"3 workers · 1 rng · 1 hasher", the shape as the workshop says it.</summary>
    public string Shape => string.Join(" · ",
        new[] { Say(Workers, "worker", "workers"), Say(RngReplicas, "rng", "rng"), Say(HasherReplicas, "hasher", "hashers") }.OfType<string>());

    /// <summary>"rng 100 ms a draw, one at a time · hasher 100 ms a hash".</summary>
    public string Knobs => string.Join(" · ", new[]
    {
        RngLatency is { } rng
            ? $"rng {Ms(rng)} a draw, {(RngConcurrentRequests is 0 ? "no cap" : RngConcurrentRequests is 1 ? "one at a time" : $"{RngConcurrentRequests} at a time")}"
            : null,
        HasherLatency is { } hasher ? $"hasher {Ms(hasher)} a hash" : null,
    }.OfType<string>());

    private static string? Say(int? count, string one, string many) =>
        count is { } n ? string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many)}") : null;

    private static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0} ms");
}
