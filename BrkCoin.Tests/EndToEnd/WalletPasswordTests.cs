using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// The embedded wallet of a whole run is locked: the services mine with the password from their
/// connection string, a client without it is refused, and the password shows nowhere — not in
/// the AppHost's log, not in any service's log, not in any resource's dashboard properties but
/// the connection string, which the dashboard masks.
/// </summary>
public sealed class WalletPasswordTests
{
    [Fact]
    public async Task A_full_run_mines_behind_the_password_and_never_shows_it()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(4));
        var password = $"Wallet{Guid.NewGuid():N}";
        var data = Directory.CreateTempSubdirectory("brkcoin-locked-").FullName;
        var lines = new ConcurrentQueue<string>();
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BrkCoin_AppHost>(
                ["--Mining:Throughput=true", "--Mining:Redis:Backend=Embedded", $"--Mining:Redis:DataPath={data}", $"--Parameters:redis-password={password}"],
                (options, _) => options.DisableDashboard = true,
                timeout.Token);
            // What the AppHost writes to its console.
            builder.Services.AddLogging(logging => logging.AddProvider(new CapturingLoggerProvider(lines)).SetMinimumLevel(LogLevel.Trace));

            await using var app = await builder.BuildAsync(timeout.Token);
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            var resourceLogs = app.Services.GetRequiredService<ResourceLoggerService>();
            using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            var watchers = new ConcurrentDictionary<string, Task>();
            // Every instance's log (replicas have ids of their own), each from its first line on.
            var instances = Task.Run(
                async () =>
            {
                try
                {
                    await foreach (var change in app.ResourceNotifications.WatchAsync(stopWatching.Token))
                    {
                        _ = watchers.GetOrAdd(change.ResourceId, id => FollowAsync(resourceLogs, change.Resource.Name, id, lines, stopWatching.Token));
                    }
                }
                catch (OperationCanceledException)
                {
                }
            },
                TestContext.Current.CancellationToken);

            await app.StartAsync(timeout.Token);
            foreach (var service in new[] { "redis", "rng", "hasher", "worker", "webui" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
            }

            var connectionString = await app.GetConnectionStringAsync("redis", timeout.Token);
            Assert.Contains($"password={password}", connectionString);
            await using (var owner = await ConnectionMultiplexer.ConnectAsync(connectionString!))
            {
                await Eventually.ReturnsAsync(async () => await owner.GetDatabase().HashLengthAsync(WalletKeys.Wallet), coins => coins > 0, TimeSpan.FromMinutes(1), "coins mined behind the password");
            }

            var stranger = ConfigurationOptions.Parse(connectionString!);
            stranger.Password = null;
            stranger.AbortOnConnectFail = false;
            stranger.ConnectTimeout = 2000;
            await using (var anyone = await ConnectionMultiplexer.ConnectAsync(stranger))
            {
                await Assert.ThrowsAnyAsync<RedisException>(() => anyone.GetDatabase().HashLengthAsync(WalletKeys.Wallet));
            }

            var properties = new List<string>();
            foreach (var resource in model.Resources)
            {
                if (app.ResourceNotifications.TryGetCurrentState(resource.Name, out var state))
                {
                    // Sensitive properties (the connection string Aspire publishes for every resource
                    // that has one, as for its own Redis) are masked by the dashboard.
                    properties.AddRange(state.Snapshot.Properties.Where(p => !p.IsSensitive).Select(p => $"{resource.Name}.{p.Name}={p.Value}"));
                }
            }

            await app.StopAsync(timeout.Token);
            await stopWatching.CancelAsync();
            await instances;
            await Task.WhenAll(watchers.Values);

            Assert.NotEmpty(properties);
            Assert.Contains(lines, line => line.StartsWith("worker: ", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line => line.Contains(password, StringComparison.Ordinal));
            Assert.DoesNotContain(properties, property => property.Contains(password, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task FollowAsync(ResourceLoggerService logs, string resource, string instance, ConcurrentQueue<string> lines, CancellationToken stop)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(instance).WithCancellation(stop))
            {
                foreach (var line in batch)
                {
                    lines.Enqueue($"{resource}: {line.Content}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"apphost {category}: {formatter(state, exception)} {exception}");
        }
    }
}
