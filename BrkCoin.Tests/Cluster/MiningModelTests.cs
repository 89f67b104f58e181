using BrkCoin.Cluster;
using BrkCoin.WebUi.Cluster;

namespace BrkCoin.Tests.Cluster;

/// <summary>The workshop's arithmetic, step by step, as the page reckons it from the workers' reports.</summary>
public sealed class MiningModelTests
{
    private static readonly TimeSpan Ms100 = TimeSpan.FromMilliseconds(100);

    [Theory]
    // README's lesson: 1 → 2 → 10 workers → 5 rng, with the original's 100 ms everywhere.
    [InlineData(1, 1, 3.33, "workers: 1 worker, each unit 100 ms pause + 100 ms rng + 100 ms hasher, 3.3 hashes/s each")]
    [InlineData(2, 1, 6.67, "workers: 2 workers, each unit 100 ms pause + 100 ms rng + 100 ms hasher, 3.3 hashes/s each")]
    [InlineData(10, 1, 10.0, "rng: 1 replica, one draw at a time, 10 draws/s")]
    [InlineData(10, 5, 33.33, "workers: 10 workers, each unit 100 ms pause + 100 ms rng + 100 ms hasher, 3.3 hashes/s each")]
    // Swarm's lesson: one rng per node on three nodes.
    [InlineData(10, 3, 30.0, "rng: 3 replicas, one draw at a time each, 30 draws/s")]
    public void Each_lesson_step_expects_its_plateau_and_names_what_limits_it(int workers, int rngReplicas, double expected, string bottleneck)
    {
        var rng = Enumerable.Range(1, rngReplicas).Select(i => new ReplicaTerms($"rng-{i}", $"node{i}", Ms100, 1)).ToList();
        var model = MiningModel.From(Workers(workers, Ms100, rng, [new ReplicaTerms("hasher-1", "node1", Ms100, 0)]));

        Assert.NotNull(model);
        Assert.Equal(expected, model.Expected!.Value, 0.01);
        Assert.Equal(bottleneck, model.Bottleneck);
    }

    [Fact]
    public void A_capped_hasher_can_be_the_bottleneck()
    {
        var model = MiningModel.From(Workers(10, Ms100, [new ReplicaTerms("rng-1", null, Ms100, 0)], [new ReplicaTerms("hasher-1", null, TimeSpan.FromMilliseconds(250), 2)]));

        Assert.Equal(8.0, model!.Expected!.Value, 0.01);
        Assert.Equal("hasher: 1 replica, 2 hashes at a time, 8 hashes/s", model.Bottleneck);
    }

    [Fact]
    public void Where_replicas_differ_the_slowest_capped_one_sets_the_pace_of_all()
    {
        // Calls alternate: the capped rng takes half of them at 10 a second, so both together take 20.
        var model = MiningModel.From(Workers(10, Ms100,
            [new ReplicaTerms("rng-1", null, Ms100, 1), new ReplicaTerms("rng-2", null, Ms100, 0)], [new ReplicaTerms("hasher-1", null, Ms100, 0)]));

        Assert.Equal(20.0, model!.Expected!.Value, 0.01);
        Assert.Equal("rng: 2 replicas, one draw at a time each, 20 draws/s", model.Bottleneck);
    }

    [Fact]
    public void Loops_add_up_and_workers_of_different_pauses_each_keep_their_own_pace()
    {
        var rng = new ReplicaTerms("rng-1", null, Ms100, 0);
        var hasher = new ReplicaTerms("hasher-1", null, Ms100, 0);
        ReplicaSeen[] seen = [new("rng", rng, 1, 100), new("hasher", hasher, 1, 100)];

        // 2 workers × 16 loops at 300 ms a unit, against one capped rng.
        var looped = MiningModel.From([new ReplicaReport(Ms100, 16, seen), new ReplicaReport(Ms100, 16, seen)]);
        Assert.Equal(2 * 16 / 0.3, looped!.Expected!.Value, 0.01);
        Assert.StartsWith("workers: 2 workers (32 loops),", looped.Bottleneck);

        // 300 ms and 600 ms a unit: 3.33 + 1.67 hashes/s.
        var mixed = MiningModel.From([new ReplicaReport(Ms100, 1, seen), new ReplicaReport(TimeSpan.FromMilliseconds(400), 1, seen)]);
        Assert.Equal(5.0, mixed!.Expected!.Value, 0.01);
    }

    [Fact]
    public void Throughput_mode_has_no_ceiling_and_says_so()
    {
        var model = MiningModel.From(Workers(1, TimeSpan.Zero, [new ReplicaTerms("rng-1", null, TimeSpan.Zero, 0)], [new ReplicaTerms("hasher-1", null, TimeSpan.Zero, 0)]));

        Assert.NotNull(model);
        Assert.Null(model.Expected);
        Assert.StartsWith("throughput mode", model.Bottleneck);
    }

    [Fact]
    public void No_model_before_a_worker_has_been_answered_by_both_services()
    {
        Assert.Null(MiningModel.From([]));
        Assert.Null(MiningModel.From(Workers(3, Ms100, [], [new ReplicaTerms("hasher-1", null, Ms100, 0)])));
    }

    [Fact]
    public void A_replica_seen_by_several_workers_counts_once()
    {
        var rng = new ReplicaTerms("rng-1", "node1", Ms100, 1);
        var hasher = new ReplicaTerms("hasher-1", "node1", Ms100, 0);
        // rng-1 reported by every worker, and once more by each under another node name: one replica.
        var model = MiningModel.From(Workers(10, Ms100, [rng, rng with { Node = "node2" }], [hasher]));

        Assert.Equal(10.0, model!.Expected!.Value, 0.01);
    }

    internal static List<ReplicaReport> Workers(int count, TimeSpan pause, IReadOnlyList<ReplicaTerms> rng, IReadOnlyList<ReplicaTerms> hasher) =>
        Enumerable.Range(0, count).Select(_ => new ReplicaReport(pause, 1,
        [
            .. rng.Select(terms => new ReplicaSeen("rng", terms, 10, 100)),
            .. hasher.Select(terms => new ReplicaSeen("hasher", terms, 10, 100)),
        ])).ToList();
}
