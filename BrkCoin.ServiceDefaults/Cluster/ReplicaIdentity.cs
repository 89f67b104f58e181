using Microsoft.Extensions.Configuration;

namespace BrkCoin.Cluster;

/// <summary>
/// Names a service replica the way the dashboard names it, and the node it runs on, so the page
/// can place every replica of every service on its node.
/// </summary>
public sealed class ReplicaIdentity
{
    public ReplicaIdentity(IConfiguration configuration, string nodeSetting)
    {
        Id = Plain(FromResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"]) ?? $"{Environment.MachineName}-{Environment.ProcessId}");
        Node = configuration[nodeSetting] is { Length: > 0 } node && Plain(node.Trim()) is { Length: > 0 } plain ? plain : null;
    }

    /// <summary>
    /// Aspire gives each replica a <c>service.instance.id</c> in OTEL_RESOURCE_ATTRIBUTES (the
    /// name the dashboard shows); elsewhere (Kubernetes, Compose, Swarm) the host name is the pod
    /// or container, and the process id tells apart replicas that share a host.
    /// </summary>
    public string Id { get; }

    /// <summary>
    /// The machine the replica runs on, as its deployment tells it (Swarm's node host name, the
    /// Kubernetes node, the developer's machine in run mode); null when nobody said: inside a
    /// container the host name is the container's, which names no node.
    /// </summary>
    public string? Node { get; }

    // Only what a response header, a Redis member and the report's '|' fields carry as they are:
    // Kestrel refuses a header with "ü" in it (a machine named so would break every answer).
    private static string Plain(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')]);

    private static string? FromResourceAttributes(string? attributes) =>
        attributes?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0] == "service.instance.id" && pair[1].Length > 0)
            .Select(pair => pair[1])
            .FirstOrDefault();
}
