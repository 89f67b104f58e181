using System.ComponentModel.DataAnnotations;
using BrkCoin.Settings;
using Microsoft.Extensions.Options;

namespace BrkCoin.Worker;

/// <summary>Settings of the miner, bound from the "Worker" section.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Simulated cost of one unit of work, paid before it (the original sleeps 0.1 s).</summary>
    [TimeSpanRange("00:00:00", "00:01:00")]
    public TimeSpan Pause { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Mining loops run side by side in one worker process.</summary>
    [Range(1, 256)]
    public int Loops { get; set; } = 1;

    /// <summary>How often the units done are added to <c>hashes</c> (the original: about every second).</summary>
    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan CounterInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Random bytes drawn for one unit of work (the original draws 32).</summary>
    [Range(1, 1024 * 1024)]
    public int RandomBytes { get; set; } = 32;

    /// <summary>First wait after a failed step; it doubles on each further failure (at least 10 ms: zero would spin).</summary>
    [TimeSpanRange("00:00:00.010", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between retries (the original always waited 10 s).</summary>
    [TimeSpanRange("00:00:00", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time given on shutdown to store a coin already found and to flush the counter.</summary>
    [TimeSpanRange("00:00:00", "00:01:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest wait for one call to rng or hasher before it counts as failed and is retried.
    /// </summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a connection to rng or hasher may serve further calls; zero (the default) opens
    /// a new connection per call, so per-connection balancers spread the calls over every replica.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:10:00")]
    public TimeSpan ConnectionReuse { get; set; } = TimeSpan.Zero;

    /// <summary>Where rng is; "http://rng" is resolved by service discovery.</summary>
    [Required]
    public Uri RngUrl { get; set; } = new("http://rng");

    /// <summary>Where hasher is; "http://hasher" is resolved by service discovery.</summary>
    [Required]
    public Uri HasherUrl { get; set; } = new("http://hasher");

    /// <summary>
    /// Addresses of the rng replicas now running, when something knows them better than DNS does:
    /// in run mode the AppHost keeps this list in the live-settings file (see
    /// <see cref="Clients.ReplicaRoundRobin"/>). Empty: <see cref="RngUrl"/> as resolved.
    /// </summary>
    public List<Uri> RngReplicas { get; set; } = [];

    /// <summary>The same for hasher.</summary>
    public List<Uri> HasherReplicas { get; set; } = [];
}

/// <summary>
/// Checks each setting of <see cref="WorkerOptions"/> against its attributes with code the options
/// source generator writes at build time, where <c>ValidateDataAnnotations</c> would find them
/// by reflection at run time (which native AOT cannot promise).
/// </summary>
[OptionsValidator]
public sealed partial class WorkerOptionsValidator : IValidateOptions<WorkerOptions>;
