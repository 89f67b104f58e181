namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// The AppHost at the original's pace with the workshop's full room (ten workers, five rng), one
/// worker to start with, on the embedded wallet: the lesson as README tells it.
/// </summary>
public sealed class LessonFixture : MinerAppFixture
{
    protected override bool Throughput => false;

    protected override IEnumerable<string> Arguments() =>
    [
        "--Mining:Redis:Backend=Embedded",
        "--Mining:Workers=1",
        "--Mining:MaxWorkers=10",
        "--Mining:MaxRngReplicas=5",
        "--Mining:MaxHasherReplicas=1",
    ];
}
