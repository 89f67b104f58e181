using System.Globalization;
using BrkCoin.Mining;

namespace BrkCoin.WebUi.Dashboard;

/// <summary>
/// A full wallet said as what it is: Redis answers, but refuses every write at its
/// <c>maxmemory</c>. Not "not answering": restarting Redis would change nothing, room would.
/// </summary>
public static class WalletFullness
{
    /// <summary>
    /// The dashboard with the wallet's memory, and marked full when Redis refused this web UI's
    /// own write for memory or reports itself at its limit.
    /// </summary>
    public static MinerDashboard WithWalletMemory(this MinerDashboard dashboard, WalletMemoryUse? memory, bool refusedForMemory)
    {
        var full = refusedForMemory || memory?.IsFull == true;
        return dashboard with
        {
            WalletMemory = memory,
            WalletFull = full,
            Problem = full ? Say(memory) : dashboard.Problem,
        };
    }

    private static string Say(WalletMemoryUse? memory)
    {
        var howFull = memory is { MaxBytes: > 0 }
            ? string.Create(CultureInfo.InvariantCulture,
                $"Redis holds {MiB(memory.UsedBytes)} of its {MiB(memory.MaxBytes)} (maxmemory, {memory.Percent:0} %)")
            : "Redis refuses writes for memory";
        return $"{howFull} and refuses new coins and counts. The workers keep their units and send them once there is room: " +
            "give the wallet more memory (Deploy:WalletMemory, or CONFIG SET maxmemory within the container's limit).";
    }

    private static string MiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");
}
