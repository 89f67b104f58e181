using BrkCoin.Cluster;

namespace BrkCoin.WebUi.Cluster;

/// <summary>This web UI replica as the cluster view shows it, and where its deployment says the wallet runs.</summary>
public sealed class WebUiReplica(IConfiguration configuration)
{
    public ReplicaIdentity Identity { get; } = new(configuration, "WebUi:Node");

    /// <summary>
    /// The wallet's node where the AppHost knows it (run mode: this machine); null in a deployment,
    /// which places the wallet by a node label, and the page then shows it under "node unknown".
    /// </summary>
    public string? WalletNode { get; } = configuration["WebUi:WalletNode"] is { Length: > 0 } node ? node.Trim() : null;
}
