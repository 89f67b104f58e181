using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// Runs the AppHost's two publish commands once for every class that reads their output, with
/// README's own arguments (read from README.md): the deployment files (three workers, throughput mode) and the Aspire
/// manifest. Shared by a collection: as a class fixture it ran five times.
/// </summary>
public sealed class PublishedFilesFixture : IAsyncLifetime
{
    public string Output { get; } = Directory.CreateTempSubdirectory("brkcoin-deploy-").FullName;

    public string ManifestOutput { get; } = Directory.CreateTempSubdirectory("brkcoin-manifest-").FullName;

    public string PublishLog { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var publish = BuiltProgram.StartInfo("BrkCoin.AppHost",
            ReadmeCommands.Publish.AppHostArgumentsWith(Output, "--Mining:Workers=3", "--Mining:Throughput=true"));
        var (exitCode, log) = await BuiltProgram.RunAsync(publish, TimeSpan.FromMinutes(3));
        PublishLog = log;
        Assert.True(exitCode == 0, $"publish failed ({exitCode}):\n{log}");

        var manifest = BuiltProgram.StartInfo("BrkCoin.AppHost",
            ReadmeCommands.Manifest.AppHostArgumentsWith(ManifestOutput));
        (exitCode, log) = await BuiltProgram.RunAsync(manifest, TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, $"manifest failed ({exitCode}):\n{log}");
    }

    public ValueTask DisposeAsync()
    {
        foreach (var folder in new[] { Output, ManifestOutput })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PublishedFilesCollection : ICollectionFixture<PublishedFilesFixture>
{
    public const string Name = "published files";
}
