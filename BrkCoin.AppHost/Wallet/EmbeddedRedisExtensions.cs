using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BrkCoin.AppHost.Wallet;

public static class EmbeddedRedisExtensions
{
    /// <summary>
    /// Adds a Redis-compatible server that runs inside the AppHost on a free loopback port,
    /// persisting to <paramref name="dataPath"/>. It shows in the dashboard like any resource.
    /// </summary>
    public static IResourceBuilder<EmbeddedRedisResource> AddEmbeddedRedis(
        this IDistributedApplicationBuilder builder, string name, string dataPath, string memory, int commitEveryMs)
    {
        // A memory Garnet cannot run with stops the AppHost here, with the setting's name.
        GarnetCommandLine.MemoryBytes(memory);
        // Locked like Aspire's Redis: anyone on the machine can reach a loopback port.
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var resource = new EmbeddedRedisResource(name, FreeLoopbackPort(), dataPath, memory, password) { CommitEveryMs = commitEveryMs };
        var healthCheckKey = $"{name}_accepts_connections";

        builder.Services.AddSingleton<EmbeddedRedisServer>();
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, async cancellationToken =>
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, resource.Port, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException ex)
            {
                return HealthCheckResult.Unhealthy($"Nothing accepts connections on port {resource.Port}.", ex);
            }
        });

        builder.Eventing.Subscribe<InitializeResourceEvent>(resource, async (evt, cancellationToken) =>
        {
            var logger = evt.Logger;
            await evt.Notifications.PublishUpdateAsync(resource, state => state with
            {
                State = KnownResourceStates.Starting,
            });

            try
            {
                using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new ResourceLoggerProvider(logger)));
                var secret = await resource.Password.GetValueAsync(cancellationToken)
                    ?? throw new InvalidOperationException("The embedded wallet has no password.");
                evt.Services.GetRequiredService<EmbeddedRedisServer>().Start(resource, secret, loggerFactory);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The embedded Redis-compatible server could not start");
                await evt.Notifications.PublishUpdateAsync(resource, state => state with
                {
                    State = KnownResourceStates.FailedToStart,
                });
                return;
            }

            logger.LogInformation("Garnet listening on 127.0.0.1:{Port}, persisting to {DataPath}", resource.Port, resource.DataPath);
            await evt.Eventing.PublishAsync(new ConnectionStringAvailableEvent(resource, evt.Services), cancellationToken);
            await evt.Notifications.PublishUpdateAsync(resource, state => state with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });

        return builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Garnet",
                State = KnownResourceStates.NotStarted,
                Properties =
                [
                    new("port", resource.Port),
                    new("data path", resource.DataPath),
                ],
            })
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    // Asking the OS for a free port avoids colliding with a Redis the user already runs on 6379.
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
