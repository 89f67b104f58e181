using BrkCoin.Cluster;
using BrkCoin.Tests.WebUi;
using BrkCoin.WebUi.Cluster;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;

namespace BrkCoin.Tests.Cluster;

/// <summary>Every replica on its node, from one sample's reports.</summary>
public sealed class ClusterViewTests
{
    private static readonly TimeSpan Ms100 = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Each_replica_stands_on_the_node_it_reported_and_the_calls_of_all_workers_add_up()
    {
        var rng1 = new ReplicaTerms("rng-1", "node1", Ms100, 1);
        var rng2 = new ReplicaTerms("rng-2", "node2", Ms100, 1);
        var hasher = new ReplicaTerms("hasher-1", "node3", Ms100, 0);
        var sample = Samples.At(10, 100, 0, ("w1", 50), ("w2", 50)) with
        {
            WorkerReports = new Dictionary<string, string>
            {
                ["w1"] = Report(new ReplicaSeen("rng", rng1, 40, 100), new ReplicaSeen("hasher", hasher, 40, 100)),
                ["w2"] = Report(new ReplicaSeen("rng", rng1, 20, 400), new ReplicaSeen("rng", rng2, 30, 100), new ReplicaSeen("hasher", hasher, 50, 100)),
                // A worker gone from the live set: what it saw is not shown.
                ["gone"] = Report(new ReplicaSeen("rng", new ReplicaTerms("rng-old", "node9", Ms100, 1), 10, 100)),
            },
            WebUis = [new WebUiSeen("webui-a", "node2")],
            WalletNode = "node1",
        };
        WorkerSpeed[] workers = [new("w1", 3.3, 50, Node: "node1"), new("w2", 3.2, 50, Node: "node3")];

        var view = ClusterView.From(sample, workers);

        Assert.Equal(["node1", "node2", "node3"], view.Nodes.Select(n => n.Name));
        Assert.Equal([("worker", "w1"), ("rng", "rng-1"), ("redis", "wallet")], Services(view, "node1"));
        Assert.Equal([("webui", "webui-a"), ("rng", "rng-2")], Services(view, "node2"));
        Assert.Equal([("worker", "w2"), ("hasher", "hasher-1")], Services(view, "node3"));
        // rng-1 served 60 calls in the ten seconds, at (40 × 100 + 20 × 400) / 60 = 200 ms.
        Assert.Equal("6 calls/s, 200 ms", view.Nodes[0].Replicas.Single(r => r.Id == "rng-1").Shows);
        Assert.Equal("3.3 hashes/s", view.Nodes[0].Replicas.Single(r => r.Id == "w1").Shows);
    }

    [Fact]
    public void Where_no_replica_names_a_node_they_all_stand_on_one_host()
    {
        var sample = Samples.At(10, 100, 0, ("w1", 50)) with
        {
            WorkerReports = new Dictionary<string, string> { ["w1"] = Report(new ReplicaSeen("rng", new ReplicaTerms("rng-1", null, Ms100, 1), 1, 100)) },
        };

        var view = ClusterView.From(sample, [new WorkerSpeed("w1", 1, 50)]);

        Assert.Equal([ClusterView.OneHost], view.Nodes.Select(n => n.Name));
        Assert.Equal(["worker", "rng", "redis"], view.Nodes[0].Replicas.Select(r => r.Service));
    }

    [Fact]
    public void A_replica_without_a_node_among_named_ones_stands_apart_last()
    {
        var sample = Samples.At(10, 100, 0, ("w1", 50)) with { WalletNode = null };

        var view = ClusterView.From(sample, [new WorkerSpeed("w1", 1, 50, Node: "node2")]);

        Assert.Equal(["node2", ClusterView.UnknownNode], view.Nodes.Select(n => n.Name));
        Assert.Equal("redis", view.Nodes[1].Replicas.Single().Service);
    }

    [Fact]
    public void A_held_up_worker_shows_why()
    {
        var view = ClusterView.From(Samples.At(10, 100, 0, ("w1", 50)), [new WorkerSpeed("w1", 0, 50, "waiting for rng", "node1")]);

        Assert.Equal("waiting for rng", view.Nodes[0].Replicas[0].Shows);
    }

    private static string Report(params ReplicaSeen[] seen) => new ReplicaReport(Ms100, 1, seen).Encode();

    private static (string, string)[] Services(ClusterView view, string node) =>
        view.Nodes.Single(n => n.Name == node).Replicas.Select(r => (r.Service, r.Id)).ToArray();
}
