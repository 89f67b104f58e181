using System.ComponentModel.DataAnnotations;
using BrkCoin.Settings;
using Microsoft.Extensions.Options;

namespace BrkCoin.Rng;

/// <summary>Settings of the random byte service, bound from the "Rng" section.</summary>
public sealed class RngOptions
{
    public const string Section = "Rng";

    /// <summary>
    /// Simulated cost of one <c>GET /{n}</c>. The original sleeps 0.1 s: with one request at a
    /// time that caps a single rng at 10 requests/s, the bottleneck the workshop teaches.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:01:00")]
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Requests served at once by one instance; the rest wait in a queue. 1 is the original's
    /// single-threaded Flask server; 0 lifts the cap.
    /// </summary>
    [Range(0, 10_000)]
    public int ConcurrentRequests { get; set; } = 1;

    /// <summary>Requests that may wait for a slot; past this the service answers 503.</summary>
    [Range(0, 100_000)]
    public int QueueLimit { get; set; } = 1000;

    /// <summary>
    /// Longest a caller is expected to wait (the worker's Worker:CallTimeout). The queue is cut to
    /// what can be served in that time, so a draw is refused at once with 503 rather than served
    /// just after its caller gave up and sent it again to the back of the queue.
    /// </summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The queue actually kept: <see cref="QueueLimit"/>, or less when <see cref="MaxQueueWait"/> says so.</summary>
    public int EffectiveQueueLimit =>
        Latency <= TimeSpan.Zero || ConcurrentRequests == 0
            ? QueueLimit
            : (int)Math.Min(QueueLimit, Math.Floor(MaxQueueWait / Latency) * ConcurrentRequests);

    /// <summary>Largest <c>n</c> accepted by <c>GET /{n}</c> (1 MiB).</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxBytes { get; set; } = 1024 * 1024;
}

/// <summary>
/// Checks each setting of <see cref="RngOptions"/> against its attributes with code the options
/// source generator writes at build time, where <c>ValidateDataAnnotations</c> would find them
/// by reflection at run time (which native AOT cannot promise).
/// </summary>
[OptionsValidator]
public sealed partial class RngOptionsValidator : IValidateOptions<RngOptions>;
