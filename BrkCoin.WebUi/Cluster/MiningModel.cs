using System.Globalization;
using BrkCoin.Cluster;
using BrkCoin.WebUi.Wallet;

namespace BrkCoin.WebUi.Cluster;

/// <summary>
/// The workshop's arithmetic of the bottleneck, for the shape the page sees: each worker loop
/// does a unit every pause + rng latency + hasher latency, and each rng or hasher replica serves
/// at most its cap of calls every latency. The speed to expect is the least of the three:
/// <c>min(Σ loops ÷ (pause + rng + hasher), rng replicas × cap ÷ latency, the same for hasher)</c>.
/// The calls are spread evenly over a service's replicas (the workers take them in turn, as
/// Swarm's and Kubernetes' balancers do), so where replicas differ the slowest capped one sets
/// the pace of all.
/// Latencies are the configured ones the replicas state, not those measured: measured ones hold
/// the queue the bottleneck builds, and the model would chase it. Pure: no clock, no Redis.
/// </summary>
/// <param name="Expected">Hashes per second the shape allows; null when nothing bounds it (throughput mode).</param>
/// <param name="Bottleneck">The limiting part in words ("rng: 1 replica, one draw at a time, 10 draws/s").</param>
public sealed record MiningModel(double? Expected, string Bottleneck)
{
    /// <summary>The model for a sample's live workers and what they reported; null before any BrkCoin worker reports.</summary>
    public static MiningModel? From(MinerSample sample)
    {
        var reports = (sample.WorkerReports ?? new Dictionary<string, string>())
            .Where(pair => sample.WorkerHashes.ContainsKey(pair.Key))
            .Select(pair => ReplicaReport.Decode(pair.Value))
            .OfType<ReplicaReport>()
            .ToList();
        return From(reports);
    }

    public static MiningModel? From(IReadOnlyList<ReplicaReport> workers)
    {
        if (workers.Count == 0)
        {
            return null;
        }

        var rng = Replicas(workers, "rng");
        var hasher = Replicas(workers, "hasher");
        if (rng.Count == 0 || hasher.Count == 0)
        {
            // A worker that has not been answered yet: no terms to reckon with.
            return null;
        }

        var loops = workers.Sum(w => w.Loops);
        // A call lands on each replica in turn: on average it waits the replicas' mean latency.
        var rngLatency = TimeSpan.FromTicks((long)rng.Average(r => r.Latency.Ticks));
        var hasherLatency = TimeSpan.FromTicks((long)hasher.Average(r => r.Latency.Ticks));
        var pause = TimeSpan.FromTicks((long)workers.Average(w => w.Pause.Ticks));
        var limits = new List<(double Rate, string Words)>();
        if (workers.All(w => w.Pause + rngLatency + hasherLatency > TimeSpan.Zero))
        {
            // Each worker at its own pace: workers whose pauses differ add up their own rates.
            var rate = workers.Sum(w => w.Loops / (w.Pause + rngLatency + hasherLatency).TotalSeconds);
            var each = 1 / (pause + rngLatency + hasherLatency).TotalSeconds;
            limits.Add((rate, $"workers: {Count(workers.Count, "worker", "workers")}{(loops != workers.Count ? $" ({loops} loops)" : "")}, " +
                $"each unit {Ms(pause)} pause + {Ms(rngLatency)} rng + {Ms(hasherLatency)} hasher, {Rate(each)} hashes/s each"));
        }

        limits.AddRange(Capacity("rng", "draw", "draws", rng));
        limits.AddRange(Capacity("hasher", "hash", "hashes", hasher));
        if (limits.Count == 0)
        {
            return new MiningModel(null, "throughput mode: no pause and no latency anywhere, so the machine's own speed sets the pace");
        }

        var least = limits.MinBy(limit => limit.Rate);
        return new MiningModel(least.Rate, least.Words);
    }

    // Calls spread evenly: the slowest capped replica takes its share at its own pace, so the
    // service serves replicas × that pace. Only a service with no capped replica has no ceiling.
    private static IEnumerable<(double Rate, string Words)> Capacity(string service, string call, string calls, IReadOnlyList<ReplicaTerms> replicas)
    {
        var capped = replicas.Where(r => r.Cap > 0 && r.Latency > TimeSpan.Zero).ToList();
        if (capped.Count == 0)
        {
            return [];
        }

        var rate = replicas.Count * capped.Min(r => r.Cap / r.Latency.TotalSeconds);
        var caps = capped.Select(r => r.Cap).Distinct().ToList();
        var atOnce = caps.Count == 1
            ? caps[0] == 1 ? $"one {call} at a time" : $"{caps[0]} {calls} at a time"
            : "caps of " + string.Join(", ", caps.Order());
        var eachWord = replicas.Count > 1 ? " each" : "";
        return [(rate, $"{service}: {Count(replicas.Count, "replica", "replicas")}, {atOnce}{eachWord}, {Rate(rate)} {calls}/s")];
    }

    // Every replica of a service the workers saw, once, with the terms it last stated.
    private static List<ReplicaTerms> Replicas(IReadOnlyList<ReplicaReport> workers, string service) =>
        workers.SelectMany(w => w.Replicas)
            .Where(r => r.Service == service)
            .GroupBy(r => r.Terms.Id, StringComparer.Ordinal)
            .Select(g => g.Last().Terms)
            .ToList();

    private static string Count(int n, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many)}");

    private static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.#} ms");

    /// <summary>"3.3", "10", "33.3": the workshop's figures, one decimal where it has one.</summary>
    public static string Rate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
