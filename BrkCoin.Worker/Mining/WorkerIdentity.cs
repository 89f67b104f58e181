namespace BrkCoin.Worker.Mining;

/// <summary>Names this worker instance, the way the dashboard names its replicas, and the node it runs on.</summary>
public sealed class WorkerIdentity(IConfiguration configuration)
{
    /// <summary>The setting that carries the node's host name (Worker__Node in the environment).</summary>
    public const string NodeSetting = "Worker:Node";

    /// <summary>
    /// Aspire gives each replica a <c>service.instance.id</c> in OTEL_RESOURCE_ATTRIBUTES (the
    /// name the dashboard shows); elsewhere (Kubernetes, Compose) the host name is the pod or
    /// container, and the process id tells apart workers that share a host.
    /// </summary>
    public string Id { get; } = FromResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"])
        ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// The machine this worker runs on, as its deployment tells it (Swarm's node host name, the
    /// Kubernetes node, the developer's machine in run mode), so the page shows how the workers
    /// spread over a cluster. Null when nobody said: inside a container the host name is the
    /// container's, which names no node.
    /// </summary>
    public string? Node { get; } = configuration[NodeSetting] is { Length: > 0 } node ? node.Trim() : null;

    private static string? FromResourceAttributes(string? attributes) =>
        attributes?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0] == "service.instance.id" && pair[1].Length > 0)
            .Select(pair => pair[1])
            .FirstOrDefault();
}
