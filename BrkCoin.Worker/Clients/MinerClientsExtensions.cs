// RemoveAllResilienceHandlers is marked for evaluation; it is the documented way to take one
// client out of the resilience handler that ConfigureHttpClientDefaults gives every client.
#pragma warning disable EXTEXP0001
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BrkCoin.Worker.Clients;

public static class MinerClientsExtensions
{
    /// <summary>
    /// Registers the typed rng and hasher clients with the worker's connection policy:
    /// a connection is kept for at most <see cref="WorkerOptions.ConnectionReuse"/>, by default
    /// not at all, so each draw and each hash opens a new connection, to the next replica in turn
    /// where the name resolves to several (see <see cref="ReplicaRoundRobin"/>).
    /// </summary>
    /// <remarks>
    /// Every balancer between a worker and the rng replicas balances connections, not requests:
    /// Aspire's DCP proxy in run mode, Docker's DNS round robin in Compose, Swarm's IPVS virtual
    /// IP, Kubernetes' kube-proxy. With one pooled connection a worker sends every draw to the one
    /// replica it met first, and scaling rng does not lift the 10 hashes/s ceiling. A new connection
    /// per call, as the original's Python worker makes, lets each of them spread the calls. A
    /// client-side balancer over DNS answers (Microsoft.Extensions.ServiceDiscovery.Dns) would keep
    /// connections warm, but it is not in our package feed and would still see one address behind
    /// a virtual IP or the DCP proxy. Throughput mode, which makes thousands of calls a second,
    /// sets a short reuse instead so the worker does not run out of ephemeral ports.
    /// </remarks>
    public static IServiceCollection AddMinerClients(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReplicaSightings>();
        services.AddHttpClient<IRngClient, RngClient>((provider, http) => Configure(http, provider, o => o.RngUrl))
            .ConfigurePrimaryHttpMessageHandler(provider => SpreadingHandler(provider, o => o.RngReplicas))
            .AddHttpMessageHandler(provider => new ReplicaSightingHandler(Mining.CallTimings.Rng, provider.GetRequiredService<ReplicaSightings>()))
            .RemoveAllResilienceHandlers();
        services.AddHttpClient<IHasherClient, HasherClient>((provider, http) => Configure(http, provider, o => o.HasherUrl))
            .ConfigurePrimaryHttpMessageHandler(provider => SpreadingHandler(provider, o => o.HasherReplicas))
            .AddHttpMessageHandler(provider => new ReplicaSightingHandler(Mining.CallTimings.Hasher, provider.GetRequiredService<ReplicaSightings>()))
            .RemoveAllResilienceHandlers();
        return services;
    }

    // One retry policy per call: the mining loop's own (Worker:RetryDelay, unlimited). The
    // standard resilience handler the service defaults add to every client would retry inside it
    // (first wait ~2 s, one attempt up to 30 s), so these clients go without it and take a plain
    // per-call timeout instead.
    private static void Configure(HttpClient http, IServiceProvider provider, Func<WorkerOptions, Uri> address)
    {
        var options = provider.GetRequiredService<IOptions<WorkerOptions>>().Value;
        http.BaseAddress = address(options);
        http.Timeout = options.CallTimeout;
    }

    private static SocketsHttpHandler SpreadingHandler(IServiceProvider provider, Func<WorkerOptions, List<Uri>> replicas)
    {
        // Read on every new connection: the AppHost rewrites the list as replicas start and stop.
        var options = provider.GetRequiredService<IOptionsMonitor<WorkerOptions>>();
        return new()
        {
            // Zero: the connection is closed after its one request and the next call connects anew.
            PooledConnectionLifetime = options.CurrentValue.ConnectionReuse,
            ConnectCallback = new ReplicaRoundRobin(announced: () => replicas(options.CurrentValue)).ConnectAsync,
        };
    }
}
