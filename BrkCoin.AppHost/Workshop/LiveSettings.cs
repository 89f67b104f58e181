using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// The settings a trainer changes while the miner runs, kept in a JSON file that rng, hasher and
/// the web UI add as their last configuration source (<c>LiveSettings:File</c>) and watch for
/// changes: their options monitors pick a new value up within a second, without a restart and
/// without any endpoint to call. Run mode only; deployment files never name it.
/// </summary>
public sealed class LiveSettings : IDisposable
{
    /// <summary>The original's latencies and cap, which the services use unless told otherwise.</summary>
    private static readonly TimeSpan OriginalLatency = TimeSpan.FromMilliseconds(100);

    private readonly Lock _writing = new();
    // Service → its running replicas' own addresses (rng and hasher: the ones the worker calls).
    private readonly Dictionary<string, IReadOnlyList<Uri>> _serving = new(StringComparer.Ordinal);
    private readonly DirectoryInfo _directory;

    public LiveSettings(MiningSettings mining)
    {
        _directory = Directory.CreateTempSubdirectory("brkcoin-live-");
        FilePath = Path.Combine(_directory.FullName, "live-settings.json");
        RngLatency = HasherLatency = mining.Throughput ? TimeSpan.Zero : OriginalLatency;
        RngConcurrentRequests = mining.Throughput ? 0 : 1;
        Workers = mining.Workers;
        RngReplicas = mining.RngReplicas;
        HasherReplicas = mining.HasherReplicas;
        Write();
    }

    public string FilePath { get; }

    public TimeSpan RngLatency { get; private set; }

    /// <summary>rng's one-at-a-time cap: 1 is the original's, 0 lifts it.</summary>
    public int RngConcurrentRequests { get; private set; }

    public TimeSpan HasherLatency { get; private set; }

    public int Workers { get; private set; }

    public int RngReplicas { get; private set; }

    public int HasherReplicas { get; private set; }

    public void SetRngLatency(TimeSpan latency) => Change(() => RngLatency = latency);

    public void SetRngConcurrentRequests(int concurrentRequests) => Change(() => RngConcurrentRequests = concurrentRequests);

    public void SetHasherLatency(TimeSpan latency) => Change(() => HasherLatency = latency);

    /// <summary>Records the replicas now running, for the page's "shape" line.</summary>
    public void SetShape(string service, int replicas) => Change(() =>
    {
        switch (service)
        {
            case "worker": Workers = replicas; break;
            case "rng": RngReplicas = replicas; break;
            case "hasher": HasherReplicas = replicas; break;
        }
    });

    /// <summary>
    /// Records where <paramref name="service"/>'s running replicas serve. The workers take them in
    /// turn rather than go through Aspire's proxy, which places each connection on a random
    /// replica: ten workers on three rng replicas then mine ~24 hashes/s where the lesson says 30.
    /// </summary>
    public void SetServing(string service, IReadOnlyList<Uri> replicas) => Change(() => _serving[service] = replicas);

    private void Change(Action change)
    {
        lock (_writing)
        {
            change();
            Write();
        }
    }

    // Written beside and renamed over: a watcher never reads half a file.
    private void Write()
    {
        var document = new JsonObject
        {
            ["Rng"] = new JsonObject
            {
                ["Latency"] = Format(RngLatency),
                ["ConcurrentRequests"] = RngConcurrentRequests,
            },
            ["Hasher"] = new JsonObject { ["Latency"] = Format(HasherLatency) },
            ["Worker"] = new JsonObject
            {
                ["RngReplicas"] = Addresses("rng"),
                ["HasherReplicas"] = Addresses("hasher"),
            },
            ["Workshop"] = new JsonObject
            {
                ["Workers"] = Workers,
                ["RngReplicas"] = RngReplicas,
                ["HasherReplicas"] = HasherReplicas,
            },
        };
        var staging = FilePath + ".new";
        File.WriteAllText(staging, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(staging, FilePath, overwrite: true);
    }

    private JsonArray Addresses(string service) =>
        [.. _serving.GetValueOrDefault(service, []).Select(uri => JsonValue.Create(uri.ToString()))];

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; shutting down must not fail over it.
        }
    }
}
