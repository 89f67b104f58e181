using BrkCoin.Mining;

namespace BrkCoin.WebUi.Wallet;

/// <summary>Everything the page needs from Redis, read at one instant.</summary>
/// <param name="At">When it was read, on Redis's clock (TIME), as every time here is.</param>
/// <param name="Hashes">The shared <c>hashes</c> counter.</param>
/// <param name="Coins">Coins in the wallet.</param>
/// <param name="WorkerHashes">Each live worker's own counter, by instance id.</param>
/// <param name="LatestCoins">The newest coins first.</param>
/// <param name="MiningSince">When the first unit of work was counted, if ever.</param>
/// <param name="WorkerStates">What keeps a live worker from mining, by instance id (only those held up).</param>
/// <param name="Latency">The live workers' rng and hasher call times over the last ten seconds.</param>
/// <param name="RunSince">When the current run of mining began (BrkCoin's workers keep it), if one is going on.</param>
/// <param name="WorkerNodes">The node each live worker runs on, by instance id (only those whose deployment says).</param>
/// <param name="Memory">How full the wallet is (<c>INFO memory</c>), where the server says.</param>
public sealed record MinerSample(
    DateTimeOffset At,
    long Hashes,
    long Coins,
    IReadOnlyDictionary<string, long> WorkerHashes,
    IReadOnlyList<FoundCoin> LatestCoins,
    DateTimeOffset? MiningSince,
    IReadOnlyDictionary<string, string>? WorkerStates = null,
    CallLatency? Latency = null,
    DateTimeOffset? RunSince = null,
    IReadOnlyDictionary<string, string>? WorkerNodes = null,
    WalletMemoryUse? Memory = null)
{
    public CallLatency Latency { get; init; } = Latency ?? CallLatency.Unknown;

    /// <summary>What each live worker saw of the cluster (<see cref="BrkCoin.Cluster.ReplicaReport"/>'s text), by instance id.</summary>
    public IReadOnlyDictionary<string, string>? WorkerReports { get; init; }

    /// <summary>The live web UI replicas.</summary>
    public IReadOnlyList<WebUiSeen>? WebUis { get; init; }

    /// <summary>The wallet's node, where the deployment says.</summary>
    public string? WalletNode { get; init; }

    /// <summary>The workshop's model of the speed for the shape seen at this sample (hashes/s); null: no ceiling or no reports.</summary>
    public double? ModelSpeed { get; init; }
}

/// <summary>A live web UI replica and its node (null: not said).</summary>
public sealed record WebUiSeen(string Id, string? Node);

/// <summary>A coin as the latest-coins list records it.</summary>
public sealed record FoundCoin(string Hash, DateTimeOffset FoundAt)
{
    public string Prefix => Hash[..Math.Min(8, Hash.Length)];
}
