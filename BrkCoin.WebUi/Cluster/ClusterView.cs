using System.Globalization;
using BrkCoin.Cluster;
using BrkCoin.Mining;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;

namespace BrkCoin.WebUi.Cluster;

/// <summary>
/// Every replica the page knows of, on its node, as the Swarm visualizer shows tasks: the
/// workers from their own reports, rng and hasher from what answered the workers, the web UIs
/// from their history writes, the wallet where the deployment says. Replicas whose deployment
/// names no node stand under <see cref="UnknownNode"/>, or, when none names one (Compose), under
/// <see cref="OneHost"/>. Pure: built from one sample.
/// </summary>
public sealed record ClusterView(IReadOnlyList<ClusterNode> Nodes)
{
    public const string UnknownNode = "node unknown";
    public const string OneHost = "one host";

    public static readonly ClusterView Empty = new([]);

    public static ClusterView From(MinerSample sample, IReadOnlyList<WorkerSpeed> workers)
    {
        var window = WalletKeys.LatencyWindow.TotalSeconds;
        var served = (sample.WorkerReports ?? new Dictionary<string, string>())
            .Where(pair => sample.WorkerHashes.ContainsKey(pair.Key))
            .Select(pair => ReplicaReport.Decode(pair.Value))
            .OfType<ReplicaReport>()
            .SelectMany(report => report.Replicas)
            .GroupBy(seen => (seen.Service, seen.Terms.Id))
            .Select(g =>
            {
                var calls = g.Sum(seen => seen.Calls);
                var meanMs = calls == 0 ? 0 : g.Sum(seen => seen.Calls * seen.MeanMs) / calls;
                return new Placed(g.Key.Service, g.Key.Id, g.Select(seen => seen.Terms.Node).LastOrDefault(node => node is not null),
                    string.Create(CultureInfo.InvariantCulture, $"{calls / window:0.#} calls/s, {meanMs:0} ms"));
            });

        var placed = new List<Placed>(
        [
            .. (sample.WebUis ?? []).Select(webUi => new Placed("webui", webUi.Id, webUi.Node, "page")),
            .. workers.Select(worker => new Placed("worker", worker.Id, worker.Node,
                worker.Problem ?? string.Create(CultureInfo.InvariantCulture, $"{worker.Speed:0.0} hashes/s"))),
            .. served,
            new Placed("redis", "wallet", sample.WalletNode, "wallet"),
        ]);

        var noneNamed = placed.All(p => p.Node is null);
        var nodes = placed
            .GroupBy(p => p.Node ?? (noneNamed ? OneHost : UnknownNode), StringComparer.Ordinal)
            .OrderBy(g => g.Key == UnknownNode)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ClusterNode(g.Key,
            [
                .. g.OrderBy(p => Array.IndexOf(ServiceOrder, p.Service))
                    .ThenBy(p => p.Id, StringComparer.Ordinal)
                    .Select(p => new ClusterReplica(p.Service, p.Id, p.Shows)),
            ]))
            .ToList();
        return new ClusterView(nodes);
    }

    // Callers before callees, as the page reads: page, workers, what they call, the wallet.
    private static readonly string[] ServiceOrder = ["webui", "worker", "rng", "hasher", "redis"];

    private sealed record Placed(string Service, string Id, string? Node, string Shows);
}

/// <summary>A node and the replicas on it.</summary>
public sealed record ClusterNode(string Name, IReadOnlyList<ClusterReplica> Replicas);

/// <summary>One replica: its service, its id, and what the page shows for it ("3.3 hashes/s", "9.8 calls/s, 102 ms").</summary>
public sealed record ClusterReplica(string Service, string Id, string Shows);
