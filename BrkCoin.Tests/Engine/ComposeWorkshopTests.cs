using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The workshop's central lesson in containers, measured from outside through /json: ten
/// workers stall at rng's 10 hashes/s, and three rng replicas lift the ceiling to ~30, because
/// each worker spreads its draws over every replica the name "rng" resolves to.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class ComposeWorkshopTests(DockerEngineFixture engine) : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private ComposeProject? _project;

    public async ValueTask InitializeAsync()
    {
        if (engine.Missing is null)
        {
            _project = await ComposeProject.UpAsync(engine, "workshop", [], "--scale", "worker=10");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_project is not null)
        {
            await _project.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ten_workers_stall_at_ten_hashes_a_second_and_three_rng_lift_them_to_thirty()
    {
        Prerequisite.Require(engine.Missing);
        var project = _project!;

        await project.WaitHealthyAsync(TimeSpan.FromMinutes(4));
        await WarmUpAsync(project);
        var stalled = await project.MeasureSpeedAsync(Window);
        TestContext.Current.SendDiagnosticMessage($"10 workers, 1 rng: {stalled:F2} hashes/s (model 10)");

        await project.ComposeAsync("up", "-d", "--scale", "worker=10", "--scale", "rng=3");
        await project.WaitHealthyAsync(TimeSpan.FromMinutes(4));
        await WarmUpAsync(project);
        var lifted = await project.MeasureSpeedAsync(Window);
        TestContext.Current.SendDiagnosticMessage($"10 workers, 3 rng: {lifted:F2} hashes/s (model 30)");

        WorkshopLesson.AssertRngIsTheBottleneckAndMoreRngLiftIt("compose", stalled, lifted);
    }

    // Workers that just started (or just got new rng replicas) need a few seconds before their
    // counters show the steady rate.
    private static async Task WarmUpAsync(ComposeProject project)
    {
        var start = await project.JsonAsync();
        await Eventually.ReturnsAsync(project.JsonAsync, j => j.Now - start.Now >= 10 && j.Hashes > start.Hashes, TimeSpan.FromMinutes(1), "ten seconds of mining");
    }
}
