using System.Globalization;
using System.Text.Json.Nodes;

namespace BrkCoin.AppHost.Workshop;

/// <summary>A setting of one service that the trainer turns while the miner runs.</summary>
/// <param name="Service">The resource it belongs to: its commands and dashboard property carry its name.</param>
/// <param name="Setting">Its configuration path, as the service reads it ("Rng:Latency").</param>
public abstract record WorkshopKnob(string Service, string Setting)
{
    /// <summary>The value the service starts with.</summary>
    public abstract JsonNode Initial { get; }

    /// <summary>The knob as a property of the workshop resource in the dashboard.</summary>
    public abstract ResourcePropertySnapshot Property(LiveSettings settings);

    /// <summary>The knob's value in the words a command answers with ("rng latency 100 ms").</summary>
    public abstract string Describe(LiveSettings settings);
}

/// <summary>Time the service spends on each unit (a draw, a hash): the original hard-codes 0.1 s.</summary>
/// <param name="Unit">What one call does, for the command's description.</param>
/// <param name="Start">The latency it starts with.</param>
public sealed record LatencyKnob(string Service, string Setting, string Unit, TimeSpan Start) : WorkshopKnob(Service, Setting)
{
    public override JsonNode Initial => Format(Start);

    public static JsonNode Format(TimeSpan latency) => JsonValue.Create(latency.ToString("c", CultureInfo.InvariantCulture));

    public TimeSpan Current(LiveSettings settings) =>
        settings.Get(Setting) is { } value ? TimeSpan.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture) : Start;

    public override ResourcePropertySnapshot Property(LiveSettings settings) =>
        new($"brkcoin.{Service}.latency", $"{Current(settings).TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");

    public override string Describe(LiveSettings settings) =>
        $"{Service} latency {Current(settings).TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms";
}

/// <summary>How many requests the service serves at once: 1 is the original's cap, 0 lifts it.</summary>
/// <param name="Start">The cap it starts with.</param>
public sealed record ConcurrencyCapKnob(string Service, string Setting, int Start) : WorkshopKnob(Service, Setting)
{
    /// <summary>The cap as the trainer sets it: on is the original's one request at a time.</summary>
    public const string On = "on";

    /// <summary>No cap: every request at once, the seed's threaded rng.</summary>
    public const string Off = "off";

    public override JsonNode Initial => JsonValue.Create(Start);

    public int Current(LiveSettings settings) => settings.Get(Setting)?.GetValue<int>() ?? Start;

    /// <summary>The setting's value for <see cref="On"/> or <see cref="Off"/>; null for any other word.</summary>
    public static int? Parse(string? state) => state?.Trim().ToLowerInvariant() switch
    {
        On => 1,
        Off => 0,
        _ => null,
    };

    public override ResourcePropertySnapshot Property(LiveSettings settings) =>
        new($"brkcoin.{Service}.concurrent", Current(settings) == 0 ? "no cap" : Current(settings).ToString(CultureInfo.InvariantCulture));

    public override string Describe(LiveSettings settings) => Current(settings) switch
    {
        0 => $"{Service} cap {Off} (every request at once)",
        1 => $"{Service} cap {On} (one request at a time)",
        var n => $"{Service} cap {n.ToString(CultureInfo.InvariantCulture)} at a time",
    };
}
