namespace BrkCoin.Worker.Mining;

/// <summary>Names this worker instance, the way the dashboard names its replicas.</summary>
public sealed class WorkerIdentity(IConfiguration configuration)
{
    /// <summary>
    /// Aspire gives each replica a <c>service.instance.id</c> in OTEL_RESOURCE_ATTRIBUTES (the
    /// name the dashboard shows); elsewhere (Kubernetes, Compose) the host name is the pod or
    /// container, and the process id tells apart workers that share a host.
    /// </summary>
    public string Id { get; } = FromResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"])
        ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    private static string? FromResourceAttributes(string? attributes) =>
        attributes?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0] == "service.instance.id" && pair[1].Length > 0)
            .Select(pair => pair[1])
            .FirstOrDefault();
}
