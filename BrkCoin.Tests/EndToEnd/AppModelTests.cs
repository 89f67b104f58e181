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
            Assert.Equal(1, Workshop(builder).Pools[name].Initial);
        }

        var rngEnvironment = await EnvironmentOf(builder, "rng");
        Assert.False(rngEnvironment.ContainsKey("Rng__Latency"), "the service's own default (0.1 s) applies");
    }

    [Fact]
    public async Task Replica_counts_come_from_configuration()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded", "--Mining:Workers=10", "--Mining:RngReplicas=3", "--Mining:HasherReplicas=2");

        Assert.Equal(10, Workshop(builder).Pools["worker"].Initial);
        Assert.Equal(3, Workshop(builder).Pools["rng"].Initial);
        Assert.Equal(2, Workshop(builder).Pools["hasher"].Initial);
    }

    [Fact]
    public async Task Run_mode_declares_the_workshop_maximum_and_starts_none_of_it_by_itself()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded", "--Mining:Workers=12", "--Mining:MaxRngReplicas=4");

        // Declared with explicit start: the workshop starts the first shape, the rest cost nothing until scaled to.
        Assert.Equal(12, Replicas(builder, "worker"));
        Assert.Equal(4, Replicas(builder, "rng"));
        Assert.Equal(5, Replicas(builder, "hasher"));
        foreach (var name in new[] { "rng", "hasher", "worker" })
        {
            Assert.Single(builder.Resources.Single(r => r.Name == name).Annotations.OfType<ExplicitStartupAnnotation>());
        }

        Assert.Single(builder.Resources.OfType<BrkCoin.AppHost.Workshop.WorkshopResource>());
    }

    [Fact]
    public async Task Every_service_reads_the_live_settings()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded");
        var file = Workshop(builder).Settings.FilePath;

        // rng, hasher and the web UI for the knobs; the worker for where the replicas serve.
        foreach (var name in new[] { "rng", "hasher", "webui", "worker" })
        {
            Assert.Equal(file, (await EnvironmentOf(builder, name))["LiveSettings__File"]);
        }

        var settings = await File.ReadAllTextAsync(file, Cancel);
        Assert.Contains("\"Latency\": \"00:00:00.1000000\"", settings);
        Assert.Contains("\"RngReplicas\": []", settings);
    }

    [Fact]
    public async Task Run_mode_starts_each_service_from_its_build_output()
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded");

        foreach (var (name, project) in new[] { ("rng", "BrkCoin.Rng"), ("hasher", "BrkCoin.Hasher"), ("worker", "BrkCoin.Worker"), ("webui", "BrkCoin.WebUi") })
        {
            var launch = builder.Resources.Single(r => r.Name == name).Annotations.OfType<ExecutableAnnotation>().Single();
            Assert.Equal(OperatingSystem.IsWindows() ? project + ".exe" : project, Path.GetFileName(launch.Command));
            Assert.True(File.Exists(launch.Command), launch.Command);
            Assert.Equal(project, Path.GetFileName(launch.WorkingDirectory));
        }
    }

    [Fact]
    public async Task Direct_launch_can_be_turned_off_and_never_reaches_publish_mode()
    {
        var off = await CreateAsync("--Mining:Redis:Backend=Embedded", "--Mining:DirectLaunch=false");
        var output = Directory.CreateTempSubdirectory("brkcoin-publish-").FullName;
        var publishing = await CreateAsync("--publisher", "manifest", "--output-path", output, "--Mining:Redis:Backend=Embedded");

        foreach (var builder in new[] { off, publishing })
        {
            Assert.All(builder.Resources.OfType<ProjectResource>(), project => Assert.Empty(project.Annotations.OfType<ExecutableAnnotation>()));
        }
    }

    [Fact]
    public async Task Classic_run_mode_gives_the_services_the_lean_runtime_settings_unless_turned_off()
    {
        var lean = await CreateAsync("--Mining:Redis:Backend=Embedded");
        var defaults = await CreateAsync("--Mining:Redis:Backend=Embedded", "--Mining:LeanRuntime=false");
        var throughput = await CreateAsync("--Mining:Redis:Backend=Embedded", "--Mining:Throughput=true");

        var leanSettings = new Dictionary<string, string>
        {
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
            ["DOTNET_EnableWriteXorExecute"] = "0",
            ["DOTNET_TieredCompilation"] = "0",
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_gcConcurrent"] = "0",
            ["DOTNET_GCgen0size"] = "100000",
        };
        foreach (var name in new[] { "rng", "hasher", "worker", "webui" })
        {
            var environment = await EnvironmentOf(lean, name);
            var plain = await EnvironmentOf(defaults, name);
            var fast = await EnvironmentOf(throughput, name);
            foreach (var (variable, value) in leanSettings)
            {
                Assert.Equal(value, environment[variable]);
                Assert.DoesNotContain(variable, plain.Keys);
                Assert.DoesNotContain(variable, fast.Keys);
            }
        }
    }

    [Fact]
    public async Task Metrics_are_exported_at_the_chosen_interval_not_aspires_one_second()
    {
        var defaults = await CreateAsync("--Mining:Redis:Backend=Embedded");
        var slower = await CreateAsync("--Mining:Redis:Backend=Embedded", "--Mining:MetricsExportInterval=00:00:30");

        foreach (var name in new[] { "rng", "hasher", "worker", "webui" })
        {
            Assert.Equal("5000", (await EnvironmentOf(defaults, name))["OTEL_METRIC_EXPORT_INTERVAL"]);
            Assert.Equal("30000", (await EnvironmentOf(slower, name))["OTEL_METRIC_EXPORT_INTERVAL"]);
        }
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

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, GarnetCommandLine.GroupCommitMs)]
    public async Task The_embedded_wallet_commits_each_write_at_the_workshops_pace_and_in_groups_in_throughput_mode(bool throughput, int commitEveryMs)
    {
        var builder = await CreateAsync("--Mining:Redis:Backend=Embedded", $"--Mining:Throughput={throughput}");

        var wallet = Assert.IsType<EmbeddedRedisResource>(builder.Resources.Single(r => r.Name == "redis"));
        Assert.Equal(commitEveryMs, wallet.CommitEveryMs);
        var arguments = GarnetCommandLine.For(wallet, "a-password");
        Assert.Equal(commitEveryMs.ToString(System.Globalization.CultureInfo.InvariantCulture), arguments[Array.IndexOf(arguments, "--aof-commit-freq") + 1]);
        Assert.Contains("--aof-commit-wait", arguments);
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
    public async Task The_redis_container_gets_its_password_on_standard_input_not_as_an_argument()
    {
        // Run mode, the container backend: the arguments Aspire's Redis resource ends up with.
        var builder = await CreateAsync("--Mining:Redis:Backend=Container");
        var redis = builder.Resources.Single(r => r.Name == "redis");
        var context = new CommandLineArgsCallbackContext([], redis, CancellationToken.None);
        foreach (var callback in redis.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        var script = string.Join(' ', context.Args.Select(arg => arg.ToString()));
        Assert.DoesNotContain("--requirepass", script);
        Assert.StartsWith("exec redis-server - ", script);
        Assert.EndsWith("<<EOF\nrequirepass \"$REDIS_PASSWORD\"\nEOF\n", script);
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

    private static BrkCoin.AppHost.Workshop.WorkshopControls Workshop(IDistributedApplicationTestingBuilder builder) =>
        (BrkCoin.AppHost.Workshop.WorkshopControls)builder.Services
            .Single(service => service.ServiceType == typeof(BrkCoin.AppHost.Workshop.WorkshopControls)).ImplementationInstance!;

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
