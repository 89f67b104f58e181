using Aspire.Hosting;
using Microsoft.Extensions.Logging;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// Starts the whole AppHost once for a test class, in throughput mode, and waits until every
/// service is healthy.
/// </summary>
public abstract class MinerAppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly string _dataPath = Directory.CreateTempSubdirectory("brkcoin-wallet-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public IConnectionMultiplexer Redis { get; private set; } = null!;

    /// <summary>Throughput mode (no simulated latency): the miner's own tests want volume, the workshop's want the original's pace.</summary>
    protected virtual bool Throughput => true;

    /// <summary>AppHost arguments besides throughput mode.</summary>
    protected abstract IEnumerable<string> Arguments();

    /// <summary>Runs before the AppHost starts; a fixture that needs a server starts it here.</summary>
    protected virtual ValueTask BeforeStartAsync() => ValueTask.CompletedTask;

    /// <summary>Why the AppHost could not be started here, or null when it runs.</summary>
    protected virtual string? Unavailable => null;

    /// <summary>Called first by every test: skips it (fails it in CI) when the AppHost could not start.</summary>
    public void RequireRunning() => Support.Prerequisite.Require(Unavailable);

    public async ValueTask InitializeAsync()
    {
        await BeforeStartAsync();
        if (Unavailable is not null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(StartTimeout);

        string[] args =
        [
            $"--Mining:Throughput={Throughput}",
            $"--Mining:Redis:DataPath={_dataPath}",
            .. Arguments(),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BrkCoin_AppHost>(
            args, (options, _) => options.DisableDashboard = true, timeout.Token);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        if (Environment.GetEnvironmentVariable("BRKCOIN_TEST_LOG") is { Length: > 0 } logFile)
        {
            builder.Services.AddLogging(logging => logging.AddProvider(new Support.FileLoggerProvider(logFile)).SetMinimumLevel(LogLevel.Debug));
        }

        // With the dashboard off nothing receives telemetry, and each service would spend its OTLP
        // exporter's 10 s timeout flushing at every stop: longer than Aspire waits for a stop.
        foreach (var project in builder.Resources.OfType<Aspire.Hosting.ApplicationModel.ProjectResource>())
        {
            project.Annotations.Add(new Aspire.Hosting.ApplicationModel.EnvironmentCallbackAnnotation(
                context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }

        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        foreach (var service in new[] { "rng", "hasher", "worker", "webui" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }

        var connectionString = await App.GetConnectionStringAsync("redis", timeout.Token);
        Redis = await ConnectionMultiplexer.ConnectAsync(connectionString!);
    }

    public async ValueTask DisposeAsync()
    {
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        await OnDisposedAsync();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    protected virtual ValueTask OnDisposedAsync() => ValueTask.CompletedTask;
}

/// <summary>The AppHost as on a machine without a container runtime: the embedded Garnet wallet, three workers.</summary>
public sealed class EmbeddedWalletMinerFixture : MinerAppFixture
{
    protected override IEnumerable<string> Arguments() => ["--Mining:Redis:Backend=Embedded", "--Mining:Workers=3"];
}

/// <summary>The AppHost pointed at a real redis-server through ConnectionStrings:redis, with two workers.</summary>
public sealed class RealRedisMinerFixture : MinerAppFixture
{
    public Support.RedisServerFixture Server { get; } = new();

    protected override IEnumerable<string> Arguments() =>
        [$"--ConnectionStrings:redis={Server.ConnectionString}", "--Mining:Workers=2"];

    protected override ValueTask BeforeStartAsync() => Server.InitializeAsync();

    protected override string? Unavailable => Server.Missing;

    protected override ValueTask OnDisposedAsync() => Server.DisposeAsync();
}
