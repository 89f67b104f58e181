using System.ComponentModel.DataAnnotations;
using BrkCoin.Settings;
using Microsoft.Extensions.Options;

namespace BrkCoin.Hasher;

/// <summary>Settings of the hashing service, bound from the "Hasher" section.</summary>
public sealed class HasherOptions
{
    public const string Section = "Hasher";

    /// <summary>
    /// Simulated cost of one hash (the original sleeps 0.1 s). Requests are served concurrently,
    /// so unlike rng this never caps the miner.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:01:00")]
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest body hashed (1 MiB); a larger one is refused with 413.</summary>
    [Range(0, 64 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>
/// Checks each setting of <see cref="HasherOptions"/> against its attributes with code the options
/// source generator writes at build time, where <c>ValidateDataAnnotations</c> would find them
/// by reflection at run time (which native AOT cannot promise).
/// </summary>
[OptionsValidator]
public sealed partial class HasherOptionsValidator : IValidateOptions<HasherOptions>;
