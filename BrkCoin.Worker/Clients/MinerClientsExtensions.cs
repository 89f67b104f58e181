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
        services.AddHttpClient<IRngClient, RngClient>((provider, http) =>
                http.BaseAddress = provider.GetRequiredService<IOptions<WorkerOptions>>().Value.RngUrl)
            .ConfigurePrimaryHttpMessageHandler(SpreadingHandler);
        services.AddHttpClient<IHasherClient, HasherClient>((provider, http) =>
                http.BaseAddress = provider.GetRequiredService<IOptions<WorkerOptions>>().Value.HasherUrl)
            .ConfigurePrimaryHttpMessageHandler(SpreadingHandler);
        return services;
    }

    private static SocketsHttpHandler SpreadingHandler(IServiceProvider provider) => new()
    {
        // Zero: the connection is closed after its one request and the next call connects anew.
        PooledConnectionLifetime = provider.GetRequiredService<IOptions<WorkerOptions>>().Value.ConnectionReuse,
        ConnectCallback = new ReplicaRoundRobin().ConnectAsync,
    };
}
