using BrkCoin.Mining;
using BrkCoin.WebUi.Wallet;

namespace BrkCoin.WebUi.Dashboard;

/// <summary>What the page and <c>/api/stats</c> show, computed once a second for every viewer.</summary>
public sealed record MinerDashboard
{
    public static readonly MinerDashboard Starting = new() { WalletReachable = true };

    /// <summary>False while Redis does not answer; the figures are then the last known ones.</summary>
    public bool WalletReachable { get; init; }

    /// <summary>
    /// Why the figures are stale, in words for a person: the wallet is unreachable (with
    /// <see cref="WalletReachable"/> false), or the web UI failed to work them out (with it true).
    /// </summary>
    public string? Problem { get; init; }

    /// <summary>
    /// Redis is at its <c>maxmemory</c> and refuses writes: it answers, but keeps no new coin or
    /// count until there is room (<see cref="Problem"/> says how full).
    /// </summary>
    public bool WalletFull { get; init; }

    /// <summary>How full the wallet is, where its server says; null otherwise.</summary>
    public WalletMemoryUse? WalletMemory { get; init; }

    /// <summary>When the last good sample was taken; null before the first.</summary>
    public DateTimeOffset? SampledAt { get; init; }

    /// <summary>Hashes per second over the last <see cref="SpeedWindow"/>.</summary>
    public double Speed { get; init; }

    /// <summary>What <see cref="Speed"/> is measured over: three seconds, longer when few hashes arrive.</summary>
    public TimeSpan SpeedWindow { get; init; }

    /// <summary>What each worker's own speed is measured over.</summary>
    public TimeSpan WorkerSpeedWindow { get; init; }

    public long Coins { get; init; }

    public long Hashes { get; init; }

    /// <summary>Coins found per minute over the last minute (or what history there is).</summary>
    public double CoinsPerMinute { get; init; }

    /// <summary>How long the current run of mining has lasted (null: not mining now).</summary>
    public TimeSpan? MiningFor { get; init; }

    /// <summary>The run reaches back past the history the page holds: it lasted at least <see cref="MiningFor"/>.</summary>
    public bool MiningForAtLeast { get; init; }

    /// <summary>When this wallet's first unit of work was counted, runs before this one included.</summary>
    public DateTimeOffset? WalletStartedAt { get; init; }

    public IReadOnlyList<SpeedPoint> SpeedHistory { get; init; } = [];

    public IReadOnlyList<SpeedPoint> CoinsPerMinuteHistory { get; init; } = [];

    public IReadOnlyList<WorkerSpeed> Workers { get; init; } = [];

    /// <summary>
    /// Speed the listed workers do not account for: workers that add to <c>hashes</c> without
    /// per-replica counters, such as the original's Python worker mining into the same wallet.
    /// </summary>
    public double UnlistedSpeed { get; init; }

    public IReadOnlyList<FoundCoin> LatestCoins { get; init; } = [];

    /// <summary>rng's and hasher's latency as the workers saw it over the last ten seconds.</summary>
    public CallLatency Latency { get; init; } = CallLatency.Unknown;

    /// <summary>rng's median latency (ms), one point a second.</summary>
    public IReadOnlyList<SpeedPoint> RngLatencyHistory { get; init; } = [];

    /// <summary>hasher's median latency (ms), one point a second.</summary>
    public IReadOnlyList<SpeedPoint> HasherLatencyHistory { get; init; } = [];

    /// <summary>The workshop's model for the shape seen now; null before any BrkCoin worker reports.</summary>
    public Cluster.MiningModel? Model { get; init; }

    /// <summary>The model's expected speed at each sample that had one: the speed chart's dashed line.</summary>
    public IReadOnlyList<SpeedPoint> ModelHistory { get; init; } = [];

    /// <summary>
    /// The measured speed has been more than <see cref="DashboardCalculator.ModelTolerance"/> away
    /// from the model for a whole <see cref="DashboardCalculator.DisagreementSpan"/>: uneven spread,
    /// a slow node, something the model does not know.
    /// </summary>
    public bool ModelDisagrees { get; init; }

    /// <summary>Every replica the page knows of, on its node.</summary>
    public Cluster.ClusterView Cluster { get; init; } = BrkCoin.WebUi.Cluster.ClusterView.Empty;
}

/// <summary>One point of a chart: a value at a time.</summary>
public sealed record SpeedPoint(DateTime At, double Value);

/// <summary>One live worker replica and its own speed.</summary>
/// <param name="Id">The worker instance, named as the dashboard names it.</param>
/// <param name="Speed">Its hashes per second.</param>
/// <param name="Hashes">Its own hash count.</param>
/// <param name="Problem">What keeps it from mining right now ("waiting for rng, retry in 4 s"), or null.</param>
/// <param name="Node">The host name of the node it runs on, when its deployment says, else null.</param>
public sealed record WorkerSpeed(string Id, double Speed, long Hashes, string? Problem = null, string? Node = null);
