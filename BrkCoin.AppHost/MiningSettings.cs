using System.ComponentModel.DataAnnotations;

namespace BrkCoin.AppHost;

/// <summary>The shape of the miner, bound from the "Mining" section (e.g. <c>--Mining:Workers=10</c>).</summary>
public sealed class MiningSettings
{
    public const string Section = "Mining";

    /// <summary>Worker replicas. The workshop goes 1 → 2 → 10 and watches speed stop at 10 hashes/s.</summary>
    [Range(1, 100)]
    public int Workers { get; set; } = 1;

    /// <summary>Mining loops inside each worker process (Worker:Loops).</summary>
    [Range(1, 256)]
    public int LoopsPerWorker { get; set; } = 1;

    /// <summary>rng replicas: the workshop's fix for the 10 hashes/s ceiling.</summary>
    [Range(1, 100)]
    public int RngReplicas { get; set; } = 1;

    /// <summary>hasher replicas.</summary>
    [Range(1, 100)]
    public int HasherReplicas { get; set; } = 1;

    /// <summary>
    /// Most worker replicas the workshop's commands can run (run mode). The extra ones are declared
    /// but not started, so they cost nothing until a trainer scales up.
    /// </summary>
    [Range(1, 100)]
    public int MaxWorkers { get; set; } = 10;

    /// <summary>Most rng replicas the workshop's commands can run (run mode).</summary>
    [Range(1, 100)]
    public int MaxRngReplicas { get; set; } = 5;

    /// <summary>Most hasher replicas the workshop's commands can run (run mode).</summary>
    [Range(1, 100)]
    public int MaxHasherReplicas { get; set; } = 5;

    /// <summary>
    /// Turns every simulated latency to zero and lifts rng's one-at-a-time cap, so the miner
    /// runs as fast as the machine allows (used by the end-to-end tests).
    /// </summary>
    public bool Throughput { get; set; }

    /// <summary>
    /// Run mode: start each service from its build output (the app host <c>bin/…/BrkCoin.Rng</c>) rather
    /// than through a resident <c>dotnet run</c> host per replica; false gives Aspire's default.
    /// </summary>
    public bool DirectLaunch { get; set; } = true;

    /// <summary>
    /// Run mode at the classic pace: runtime settings for many small services on one machine (no
    /// thread-pool spinning, no W^X double mapping, no tiered compilation, a small workstation GC);
    /// false gives .NET's defaults.
    /// </summary>
    public bool LeanRuntime { get; set; } = true;

    /// <summary>How often each service sends its metrics to the dashboard in run mode (Aspire's own default is 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan MetricsExportInterval { get; set; } = TimeSpan.FromSeconds(5);

    public WalletStoreSettings Redis { get; set; } = new();
}

/// <summary>Where the wallet lives in run mode.</summary>
public sealed class WalletStoreSettings
{
    /// <summary>Auto, Container or Embedded. A <c>ConnectionStrings:redis</c> value wins over all three.</summary>
    public WalletBackend Backend { get; set; } = WalletBackend.Auto;

    /// <summary>Folder the embedded store persists to; empty means <c>.garnet</c> beside the AppHost project.</summary>
    public string DataPath { get; set; } = string.Empty;

    /// <summary>Memory the embedded store may use for its log (Garnet's <c>--memory</c>).</summary>
    [RegularExpression("^[0-9]+[kKmMgG]?$")]
    public string Memory { get; set; } = "64m";

    /// <summary>
    /// Image of the Redis container, e.g. "127.0.0.1:5000/brkcoin/debian-redis:bookworm";
    /// empty means Aspire's own Redis image.
    /// </summary>
    [RegularExpression("^$|^[A-Za-z0-9._:/@-]+$")]
    public string Image { get; set; } = string.Empty;
}

public enum WalletBackend
{
    /// <summary>The Redis container when a container runtime answers, else the embedded store.</summary>
    Auto,
    Container,
    Embedded,
}
