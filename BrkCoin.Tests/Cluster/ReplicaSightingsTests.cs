using BrkCoin.Cluster;
using BrkCoin.Worker;
using BrkCoin.Worker.Clients;
using Microsoft.Extensions.Options;

namespace BrkCoin.Tests.Cluster;

/// <summary>What a worker reports of the replicas that answered it.</summary>
public sealed class ReplicaSightingsTests
{
    [Fact]
    public void Each_replica_is_reported_with_its_latest_terms_and_its_calls_of_the_last_ten_seconds()
    {
        var clock = new SteppingClock();
        var sightings = new ReplicaSightings(clock, new FixedOptions(new WorkerOptions { Pause = TimeSpan.FromMilliseconds(100), Loops = 2 }));

        sightings.Record("rng", "id=rng-1; node=node1; latency-ms=100; cap=1", TimeSpan.FromMilliseconds(100));
        sightings.Record("rng", "id=rng-1; node=node1; latency-ms=100; cap=1", TimeSpan.FromMilliseconds(300));
        sightings.Record("hasher", "id=hasher-1; node=-; latency-ms=100; cap=0", TimeSpan.FromMilliseconds(100));
        sightings.Record("rng", "not a replica header", TimeSpan.FromMilliseconds(1));
        clock.Advance(TimeSpan.FromSeconds(5));
        // The workshop turns rng's latency knob: the report carries the new terms.
        sightings.Record("rng", "id=rng-1; node=node1; latency-ms=50; cap=1", TimeSpan.FromMilliseconds(200));

        var report = sightings.Report();

        Assert.Equal(TimeSpan.FromMilliseconds(100), report.Pause);
        Assert.Equal(2, report.Loops);
        var rng = Assert.Single(report.Replicas, r => r.Service == "rng");
        Assert.Equal(new ReplicaTerms("rng-1", "node1", TimeSpan.FromMilliseconds(50), 1), rng.Terms);
        Assert.Equal(3, rng.Calls);
        Assert.Equal(200, rng.MeanMs, 0.001);
        Assert.Null(Assert.Single(report.Replicas, r => r.Service == "hasher").Terms.Node);

        // Ten seconds without an answer: the replica is gone from the report.
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(["rng"], sightings.Report().Replicas.Select(r => r.Service));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(sightings.Report().Replicas);
    }

    [Fact]
    public void Replicas_answering_in_turn_are_each_counted()
    {
        var sightings = new ReplicaSightings(new SteppingClock(), new FixedOptions(new WorkerOptions()));
        string[] headers = ["id=rng-1; node=node1; latency-ms=100; cap=1", "id=rng-2; node=node2; latency-ms=100; cap=1", "id=rng-3; node=node3; latency-ms=100; cap=1"];

        for (var call = 0; call < 300; call++)
        {
            // A new string each time, as each answer brings its own.
            sightings.Record("rng", new string(headers[call % 3]), TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal([("rng-1", "node1", 100L), ("rng-2", "node2", 100L), ("rng-3", "node3", 100L)],
            sightings.Report().Replicas.Select(r => (r.Terms.Id, r.Terms.Node!, r.Calls)));
    }

    private sealed class SteppingClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class FixedOptions(WorkerOptions value) : IOptions<WorkerOptions>
    {
        public WorkerOptions Value => value;
    }
}
