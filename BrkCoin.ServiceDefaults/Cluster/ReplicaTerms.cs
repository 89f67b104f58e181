using System.Globalization;

namespace BrkCoin.Cluster;

/// <summary>
/// What an rng or hasher replica says about itself in the <see cref="HeaderName"/> header of
/// every answer: who served the call, on which node, and the terms the workshop's model needs
/// (its configured latency, and how many calls it serves at once). The body stays exactly the
/// original's (raw bytes, 64 hex characters), so the original's worker still works against it.
/// </summary>
/// <param name="Id">The replica, as <see cref="ReplicaIdentity.Id"/> names it.</param>
/// <param name="Node">Its node, or null where its deployment does not say.</param>
/// <param name="Latency">The simulated cost of one call, as configured (not as measured: the model must not chase its own queue).</param>
/// <param name="Cap">Calls served at once; 0 for no cap.</param>
public sealed record ReplicaTerms(string Id, string? Node, TimeSpan Latency, int Cap)
{
    public const string HeaderName = "BrkCoin-Replica";

    /// <summary>"id=rng-1; node=node2; latency-ms=100; cap=1" (node "-" when unknown).</summary>
    public string ToHeader() => string.Create(CultureInfo.InvariantCulture,
        $"id={Id}; node={Node ?? "-"}; latency-ms={Latency.TotalMilliseconds:0.###}; cap={Cap}");

    /// <summary>The terms in a header, or null when it is absent or not in this form (another server, an older replica).</summary>
    public static ReplicaTerms? Parse(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        var fields = header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(field => field.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First()[1], StringComparer.Ordinal);
        return fields.TryGetValue("id", out var id) && id.Length > 0 && !id.Any(char.IsWhiteSpace)
            && fields.TryGetValue("latency-ms", out var latency)
            && double.TryParse(latency, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms)
            && fields.TryGetValue("cap", out var capText)
            && int.TryParse(capText, NumberStyles.None, CultureInfo.InvariantCulture, out var cap)
                ? new ReplicaTerms(id, fields.GetValueOrDefault("node") is { Length: > 0 } node && node != "-" && !node.Any(char.IsWhiteSpace) ? node : null,
                    TimeSpan.FromMilliseconds(ms), cap)
                : null;
    }
}
