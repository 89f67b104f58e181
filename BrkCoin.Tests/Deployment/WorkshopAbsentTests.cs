namespace BrkCoin.Tests.Deployment;

/// <summary>The workshop's commands and knobs are for run mode: nothing of them reaches a deployment.</summary>
[Collection(PublishedFilesCollection.Name)]
public sealed class WorkshopAbsentTests(PublishedFilesFixture published)
{
    [Fact]
    public void No_published_file_names_the_live_settings_or_the_workshop()
    {
        var files = Directory.EnumerateFiles(published.Output, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(published.ManifestOutput, "*", SearchOption.AllDirectories))
            .ToList();

        Assert.Contains(files, f => f.EndsWith("docker-compose.yaml", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".yaml", StringComparison.Ordinal) && f.Contains("kubernetes", StringComparison.Ordinal));
        Assert.All(files, file =>
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("LiveSettings", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("workshop", text, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public void Published_replicas_are_the_configured_shape_not_the_workshop_maximum()
    {
        var compose = File.ReadAllText(Path.Combine(published.Output, "docker-compose.yaml"));

        // Three workers as asked, not Mining:MaxWorkers (10) declared for the workshop.
        Assert.Matches(@"worker:[\s\S]*?replicas: 3", compose);
        Assert.DoesNotContain("replicas: 10", compose, StringComparison.Ordinal);
    }
}
