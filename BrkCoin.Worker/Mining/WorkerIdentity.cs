using BrkCoin.Cluster;

namespace BrkCoin.Worker.Mining;

/// <summary>Names this worker instance, the way the dashboard names its replicas, and the node it runs on.</summary>
public sealed class WorkerIdentity(IConfiguration configuration)
{
    /// <summary>The setting that carries the node's host name (Worker__Node in the environment).</summary>
    public const string NodeSetting = "Worker:Node";

    private readonly ReplicaIdentity _replica = new(configuration, NodeSetting);

    /// <inheritdoc cref="ReplicaIdentity.Id"/>
    public string Id => _replica.Id;

    /// <inheritdoc cref="ReplicaIdentity.Node"/>
    public string? Node => _replica.Node;
}
