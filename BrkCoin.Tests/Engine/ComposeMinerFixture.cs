namespace BrkCoin.Tests.Engine;

/// <summary>One Compose project for <see cref="ComposeDeploymentTests"/>: two workers at the original's pace.</summary>
public sealed class ComposeMinerFixture(DockerEngineFixture engine) : IAsyncLifetime
{
    public DockerEngineFixture Engine => engine;

    public ComposeProject? Project { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (engine.Missing is null)
        {
            Project = await ComposeProject.UpAsync(engine, "deploy", ["--Mining:Workers=2"]);
            await Project.WaitHealthyAsync(TimeSpan.FromMinutes(3));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Project is not null)
        {
            await Project.DisposeAsync();
        }
    }
}
