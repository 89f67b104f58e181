using System.Text.Json;

namespace BrkCoin.Tests.Deployment;

/// <summary>The Aspire manifest that azd and aspirate read.</summary>
[Collection(PublishedFilesCollection.Name)]
public sealed class ManifestTests(PublishedFilesFixture published)
{
    private readonly JsonElement _resources = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(published.ManifestOutput, "aspire-manifest.json"))).RootElement.GetProperty("resources");

    [Fact]
    public void Holds_every_service_and_redis()
    {
        foreach (var project in new[] { "rng", "hasher", "worker", "webui" })
        {
            Assert.Equal("project.v0", _resources.GetProperty(project).GetProperty("type").GetString());
        }

        Assert.Equal("container.v0", _resources.GetProperty("redis").GetProperty("type").GetString());
        Assert.StartsWith("docker.io/library/redis", _resources.GetProperty("redis").GetProperty("image").GetString());
    }

    [Fact]
    public void Wires_the_worker_to_rng_hasher_and_redis_and_the_web_ui_to_redis()
    {
        var worker = _resources.GetProperty("worker").GetProperty("env");
        Assert.Equal("{rng.bindings.http.url}", worker.GetProperty("services__rng__http__0").GetString());
        Assert.Equal("{hasher.bindings.http.url}", worker.GetProperty("services__hasher__http__0").GetString());
        Assert.Equal("{redis.connectionString}", worker.GetProperty("ConnectionStrings__redis").GetString());
        Assert.Equal("{redis.connectionString}", _resources.GetProperty("webui").GetProperty("env").GetProperty("ConnectionStrings__redis").GetString());
    }

    [Fact]
    public void Only_the_web_ui_is_external()
    {
        var external = _resources.EnumerateObject()
            .Where(r => r.Value.TryGetProperty("bindings", out var bindings)
                && bindings.EnumerateObject().Any(b => b.Value.TryGetProperty("external", out var e) && e.GetBoolean()))
            .Select(r => r.Name);

        Assert.Equal(["webui"], external);
    }
}
