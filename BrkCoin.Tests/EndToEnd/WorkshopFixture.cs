namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// The AppHost at the original's pace (the workshop's numbers), one worker to start with and room
/// for three, on the embedded wallet.
/// </summary>
public sealed class WorkshopFixture : MinerAppFixture
{
    protected override bool Throughput => false;

    protected override IEnumerable<string> Arguments() =>
    [
        "--Mining:Redis:Backend=Embedded",
        "--Mining:Workers=1",
        "--Mining:MaxWorkers=3",
        "--Mining:MaxRngReplicas=2",
        "--Mining:MaxHasherReplicas=2",
    ];
}
