namespace BrkCoin.Mining;

/// <summary>
/// The Redis keys BrkCoin uses. <see cref="Hashes"/> and <see cref="Wallet"/> are the original
/// dockercoins keys, kept exactly so its tools still read our wallet; the rest live under
/// <c>brkcoin:</c> and only add to them. Nothing else in BrkCoin spells a key.
/// </summary>
public static class WalletKeys
{
    /// <summary>String counter: total hashes computed by every worker (INCRBY).</summary>
    public const string Hashes = "hashes";

    /// <summary>Hash: field = 64-char lowercase hex SHA-256, value = the raw bytes that hash to it.</summary>
    public const string Wallet = "wallet";

    /// <summary>Sorted set: worker instance ids scored by the unix time (ms) of their last report.</summary>
    public const string LiveWorkers = "brkcoin:workers";

    /// <summary>List: the newest coins first, as "hexhash unixms", capped at <see cref="LatestCoinsKept"/>.</summary>
    public const string LatestCoins = "brkcoin:coins:latest";

    /// <summary>String: unix time (ms) of the first unit of work ever counted (SETNX).</summary>
    public const string MiningSince = "brkcoin:since";

    /// <summary>
    /// String: unix time (ms) the current run of mining began. Each flush that adds units sets it
    /// if absent and keeps it alive for <see cref="RunGap"/>, so after a pause longer than that the
    /// next unit starts a new run: the page's "Mining for" then tells the same story as its chart.
    /// </summary>
    public const string RunSince = "brkcoin:run:since";

    /// <summary>
    /// A pause in mining longer than this ends a run (and the chart does not bridge it with a
    /// speed); a shorter one, such as a Redis restart, does not.
    /// </summary>
    public static readonly TimeSpan RunGap = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Sorted set: the web UI's speed samples, scored by unix time (ms), member "unixms hashes coins",
    /// kept for <see cref="HistoryKept"/>: a restarted or second web UI, or a late tab, draws the
    /// same chart.
    /// </summary>
    public const string SpeedHistory = "brkcoin:history";

    /// <summary>
    /// How far back the chart reaches: a whole workshop lesson (1 → 2 → 10 workers → 5 rng and
    /// after), where the original's 250 one-second samples had dropped its first steps by the last.
    /// </summary>
    public static readonly TimeSpan HistoryKept = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Sorted set: the chart's labelled marks, one per change of the miner's shape or knobs
    /// ("10 workers", "5 rng", "cap off"), scored by unix time (ms), member "unixms label"; kept
    /// for <see cref="HistoryKept"/>, like the history they label.
    /// </summary>
    public const string LessonMarks = "brkcoin:marks";

    /// <summary>
    /// String: the shape and knobs the web UI last saw, one "part=label" a line. Swapped
    /// with GETSET, so that of several web UIs only the first to see a change marks it.
    /// </summary>
    public const string LessonShape = "brkcoin:marks:shape";

    public const int LatestCoinsKept = 20;

    /// <summary>How long a worker's own counter outlives its last report: then the replica is gone.</summary>
    public static readonly TimeSpan WorkerExpiry = TimeSpan.FromSeconds(15);

    /// <summary>String counter: hashes computed by one worker instance; expires when it stops reporting.</summary>
    public static string WorkerHashes(string workerId) => $"brkcoin:worker:{workerId}:hashes";

    /// <summary>
    /// String: what keeps a worker instance from mining ("waiting for rng, retry in 4 s: …"); absent
    /// while it mines. Expires with the worker's own counter.
    /// </summary>
    public static string WorkerState(string workerId) => $"brkcoin:worker:{workerId}:state";

    /// <summary>
    /// String "rng=bucket:count,…;hasher=bucket:count,…": how long one worker instance's rng and
    /// hasher calls took over the last <see cref="LatencyWindow"/> (a <see cref="LatencyHistogram"/>
    /// per service). Expires with the worker's own counter.
    /// </summary>
    public static string WorkerLatency(string workerId) => $"brkcoin:worker:{workerId}:latency";

    /// <summary>
    /// String: the host name of the node a worker instance runs on, when its deployment says it
    /// (Swarm's node, the Kubernetes node, the machine in run mode). Expires with the worker's own counter.
    /// </summary>
    public static string WorkerNode(string workerId) => $"brkcoin:worker:{workerId}:node";

    /// <summary>
    /// String: what a worker instance saw of the cluster over the last <see cref="LatencyWindow"/>
    /// (<see cref="ReplicaReport"/>): its own pause and loops, and each rng and hasher replica that
    /// answered it, with that replica's node, configured latency and cap. Expires with the worker's own counter.
    /// </summary>
    public static string WorkerReplicas(string workerId) => $"brkcoin:worker:{workerId}:replicas";

    /// <summary>
    /// Sorted set: the web UI replicas, member "id node" (node "-" when unknown), scored by the
    /// unix time (ms) of their last sample; each leaves it <see cref="WorkerExpiry"/> after its last.
    /// </summary>
    public const string LiveWebUis = "brkcoin:webuis";

    /// <summary>The span a worker's latency report covers: the workshop reads latency over ~10 s.</summary>
    public static readonly TimeSpan LatencyWindow = TimeSpan.FromSeconds(10);

    /// <summary>
    /// String "process-token:sequence" of the last counter batch a worker instance applied, so a
    /// batch retried after a lost reply is not counted twice. Written without an expiry: it gets
    /// <see cref="LastFlushExpiry"/> only once the worker knows its batch is in.
    /// </summary>
    public static string WorkerLastFlush(string workerId) => $"brkcoin:worker:{workerId}:flushed";

    /// <summary>
    /// How long a worker's last-flush mark is kept after the worker learnt its batch was applied:
    /// it is then never sent again, and the mark only tidies itself away after a stopped worker.
    /// </summary>
    public static readonly TimeSpan LastFlushExpiry = TimeSpan.FromDays(1);
}
