using BrkCoin.Cluster;

namespace BrkCoin.Tests.Cluster;

/// <summary>The replica header rng and hasher send, and the report a worker writes beside its counter.</summary>
public sealed class ReplicaWireTests
{
    [Fact]
    public void The_header_says_who_answered_where_and_on_what_terms()
    {
        var terms = new ReplicaTerms("rng-x7k2", "node2", TimeSpan.FromMilliseconds(100), 1);

        Assert.Equal("id=rng-x7k2; node=node2; latency-ms=100; cap=1", terms.ToHeader());
        Assert.Equal(terms, ReplicaTerms.Parse(terms.ToHeader()));
        Assert.Equal(terms with { Node = null }, ReplicaTerms.Parse((terms with { Node = null }).ToHeader()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("id=rng-1")]
    [InlineData("id=; latency-ms=100; cap=1")]
    [InlineData("id=rng 1; latency-ms=100; cap=1")]
    [InlineData("id=rng-1; latency-ms=-5; cap=1")]
    [InlineData("id=rng-1; latency-ms=100; cap=one")]
    public void A_header_not_in_this_form_is_no_sighting(string? header) => Assert.Null(ReplicaTerms.Parse(header));

    [Fact]
    public void A_report_reads_back_as_written()
    {
        var report = new ReplicaReport(TimeSpan.FromMilliseconds(100), 16,
        [
            new ReplicaSeen("rng", new ReplicaTerms("rng-1", "node1", TimeSpan.FromMilliseconds(100), 1), 42, 105.25),
            new ReplicaSeen("hasher", new ReplicaTerms("hasher-1", null, TimeSpan.FromMilliseconds(0.5), 0), 7, 0.75),
        ]);

        var decoded = ReplicaReport.Decode(report.Encode());

        Assert.NotNull(decoded);
        Assert.Equal(report.Pause, decoded.Pause);
        Assert.Equal(report.Loops, decoded.Loops);
        Assert.Equal(report.Replicas, decoded.Replicas);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("rng|rng-1|node1|100|1|4|100")]
    [InlineData("worker|fast|1")]
    public void What_is_not_a_report_reads_as_none(string? text) => Assert.Null(ReplicaReport.Decode(text));

    [Fact]
    public void A_damaged_line_is_skipped_and_the_rest_kept()
    {
        var decoded = ReplicaReport.Decode("worker|100|1\nrng|rng-1|node1|100|1|4|100\nrng|broken\nhasher|hasher-1|-|100|0|4|x");

        Assert.Equal(["rng-1"], decoded!.Replicas.Select(r => r.Terms.Id));
    }
}
