using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Redis;
using Aspire.Hosting.Testing;
using BrkCoin.AppHost.Wallet;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>The AppHost's model as built from its settings, without starting anything.</summary>
public sealed class AppModelTests
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Defaults_reproduce_the_original_one_of_each()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded");

        foreach (var name in new[] { "rng", "hasher", "worker" })
        {
            Assert.Equal(1, Replicas(builder, name));
        }

        var rngEnvironment = await EnvironmentOf(builder, "rng");
        Assert.False(rngEnvironment.ContainsKey("Rng__Latency"), "the service's own default (0.1 s) applies");
    }

    [Fact]
    public async Task Replica_counts_come_from_configuration()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded", "--Mining:Workers=10", "--Mining:RngReplicas=3", "--Mining:HasherReplicas=2");

        Assert.Equal(10, Replicas(builder, "worker"));
        Assert.Equal(3, Replicas(builder, "rng"));
        Assert.Equal(2, Replicas(builder, "hasher"));
    }

    [Fact]
    public async Task Throughput_mode_zeroes_every_latency_and_lifts_the_rng_cap()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded", "--Mining:Throughput=true");

        Assert.Equal("0", (await EnvironmentOf(builder, "rng"))["Rng__Latency"]);
        Assert.Equal("0", (await EnvironmentOf(builder, "rng"))["Rng__ConcurrentRequests"]);
        Assert.Equal("0", (await EnvironmentOf(builder, "hasher"))["Hasher__Latency"]);
        Assert.Equal("0", (await EnvironmentOf(builder, "worker"))["Worker__Pause"]);
    }

    [Fact]
    public async Task Without_a_container_runtime_the_wallet_is_the_embedded_server()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded");

        Assert.IsType<EmbeddedRedisResource>(builder.Resources.Single(r => r.Name == "redis"));
        Assert.DoesNotContain(builder.Resources, r => r.Annotations.OfType<ContainerImageAnnotation>().Any());
    }

    [Fact]
    public async Task A_supplied_connection_string_wins()
    {
        var builder = await CreateAsync("--ConnectionStrings:redis=127.0.0.1:6390");

        var redis = builder.Resources.Single(r => r.Name == "redis");
        Assert.IsNotType<EmbeddedRedisResource>(redis);
        Assert.IsNotType<RedisResource>(redis);
        Assert.Equal("127.0.0.1:6390", await ((IResourceWithConnectionString)redis).GetConnectionStringAsync(Cancel));
    }

    [Fact]
    public async Task Publish_mode_always_models_the_redis_container()
    {
        var output = Directory.CreateTempSubdirectory("brkcoin-publish-").FullName;
        var builder = await CreateAsync("--publisher", "manifest", "--output-path", output, "--Mining:Redis:Backend=Embedded");

        Assert.IsType<RedisResource>(builder.Resources.Single(r => r.Name == "redis"));
    }

    [Fact]
    public async Task Only_the_web_ui_is_external()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded");

        var external = builder.Resources
            .Where(r => r.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal))
            .Select(r => r.Name);
        Assert.Equal(["webui"], external);
    }

    [Fact]
    public async Task Invalid_mining_settings_are_refused_before_anything_starts()
    {
        var refused = await Assert.ThrowsAsync<System.ComponentModel.DataAnnotations.ValidationException>(() => CreateAsync("--Mining:Workers=0"));
        Assert.Contains("Workers", refused.Message);
    }

    private Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.BrkCoin_AppHost>(args, Cancel);

    private static int Replicas(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.Resources.Single(r => r.Name == name).Annotations.OfType<ReplicaAnnotation>().Single().Replicas;

    // Runs the resource's environment callbacks as the orchestrator would, keeping the plain values.
    private static async Task<Dictionary<string, string>> EnvironmentOf(IDistributedApplicationTestingBuilder builder, string name)
    {
        var resource = builder.Resources.Single(r => r.Name == name);
        var context = new EnvironmentCallbackContext(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, [], CancellationToken.None);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return context.EnvironmentVariables
            .Where(variable => variable.Value is string)
            .ToDictionary(variable => variable.Key, variable => (string)variable.Value);
    }
}
