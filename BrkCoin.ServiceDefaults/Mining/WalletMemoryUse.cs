using System.Globalization;

namespace BrkCoin.Mining;

/// <summary>
/// How full the wallet is, from Redis's <c>INFO memory</c>: <c>used_memory</c> against
/// <c>maxmemory</c>, the figure Redis itself compares before it refuses a write.
/// </summary>
/// <param name="UsedBytes">used_memory.</param>
/// <param name="MaxBytes">maxmemory; 0 when Redis has no limit of its own.</param>
public sealed record WalletMemoryUse(long UsedBytes, long MaxBytes)
{
    /// <summary>At or past its limit: Redis refuses the next write that needs memory.</summary>
    public bool IsFull => MaxBytes > 0 && UsedBytes >= MaxBytes;

    /// <summary>Used of the limit, in per cent; null without a limit.</summary>
    public double? Percent => MaxBytes > 0 ? 100.0 * UsedBytes / MaxBytes : null;

    /// <summary>
    /// The two figures from an <c>INFO memory</c> reply; null when it lacks them (a
    /// Redis-compatible server that reports memory in its own words).
    /// </summary>
    public static WalletMemoryUse? Parse(string? info)
    {
        long? used = null, max = null;
        foreach (var line in (info ?? string.Empty).Split('\n'))
        {
            var (name, value) = line.Split(':', 2) is [var n, var v] ? (n, v.Trim()) : (line, string.Empty);
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
            {
                used = name == "used_memory" ? bytes : used;
                max = name == "maxmemory" ? bytes : max;
            }
        }

        return used is { } u && max is { } m ? new WalletMemoryUse(u, m) : null;
    }
}
