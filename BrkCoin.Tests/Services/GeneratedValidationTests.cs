using System.ComponentModel.DataAnnotations;
using BrkCoin.Hasher;
using BrkCoin.Rng;
using BrkCoin.Settings;
using BrkCoin.Worker;
using Microsoft.Extensions.Options;

namespace BrkCoin.Tests.Services;

/// <summary>
/// The natively compiled services validate their settings with code the options source generator
/// wrote, where they used to call ValidateDataAnnotations (reflection). Each generated validator
/// refuses exactly the values the attributes refuse when read by reflection, member for member.
/// </summary>
public sealed class GeneratedValidationTests
{
    public static TheoryData<string, object> Cases => new()
    {
        { "defaults", new RngOptions() },
        { "rng latency over a minute", new RngOptions { Latency = TimeSpan.FromMinutes(2) } },
        { "rng negative latency", new RngOptions { Latency = TimeSpan.FromMilliseconds(-1) } },
        { "rng queue wait under 100 ms", new RngOptions { MaxQueueWait = TimeSpan.FromMilliseconds(99) } },
        { "rng negative cap", new RngOptions { ConcurrentRequests = -1, MaxBytes = 0 } },
        { "hasher defaults", new HasherOptions() },
        { "hasher latency and body", new HasherOptions { Latency = TimeSpan.FromSeconds(61), MaxBodyBytes = -1 } },
        { "worker defaults", new WorkerOptions() },
        { "worker edges", new WorkerOptions { Pause = TimeSpan.FromMinutes(1), CounterInterval = TimeSpan.FromMilliseconds(10), CallTimeout = TimeSpan.FromMilliseconds(100) } },
        { "worker under the minimums", new WorkerOptions { CounterInterval = TimeSpan.FromMilliseconds(9), RetryDelay = TimeSpan.Zero, CallTimeout = TimeSpan.FromMilliseconds(99), Loops = 0 } },
        { "worker over the maximums", new WorkerOptions { MaxRetryDelay = TimeSpan.FromMinutes(11), ShutdownGrace = TimeSpan.FromMinutes(2), ConnectionReuse = TimeSpan.FromHours(1), RandomBytes = 2_000_000 } },
        { "worker without addresses", new WorkerOptions { RngUrl = null!, HasherUrl = null! } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_generated_validator_refuses_what_the_attributes_refuse(string name, object options)
    {
        var generated = options switch
        {
            RngOptions rng => new RngOptionsValidator().Validate(null, rng),
            HasherOptions hasher => new HasherOptionsValidator().Validate(null, hasher),
            WorkerOptions worker => new WorkerOptionsValidator().Validate(null, worker),
            _ => throw new ArgumentException(name),
        };

        var reflected = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), reflected, validateAllProperties: true);

        Assert.Equal(
            reflected.SelectMany(r => r.MemberNames).Order().ToList(),
            (generated.Failures ?? []).Select(MemberNamed).Order().ToList());
    }

    [Fact]
    public void A_time_out_of_range_reads_as_RangeAttribute_would_say_it()
    {
        var time = new TimeSpanRangeAttribute("00:00:00.010", "00:01:00");
        var range = new RangeAttribute(typeof(TimeSpan), "00:00:00.010", "00:01:00");

        Assert.False(time.IsValid(TimeSpan.FromMinutes(2)));
        Assert.False(range.IsValid(TimeSpan.FromMinutes(2)));
        Assert.True(time.IsValid(TimeSpan.FromMinutes(1)));
        Assert.True(time.IsValid(null));
        Assert.Equal(range.FormatErrorMessage("Pause"), time.FormatErrorMessage("Pause"));
    }

    // "Latency: The field RngOptions.Latency must be …": the member is the failure's first word.
    private static string MemberNamed(string failure) => failure.Split(':', 2)[0].Trim();
}
