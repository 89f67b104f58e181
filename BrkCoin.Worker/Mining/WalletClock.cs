using System.Diagnostics;
using StackExchange.Redis;

namespace BrkCoin.Worker.Mining;

/// <summary>
/// Redis's clock (TIME), in Unix milliseconds, not this machine's: the web UI judges liveness and
/// run length against the same clock, so workers and a web UI whose clocks are apart neither hide
/// a worker nor show a run that starts in the future.
/// </summary>
/// <remarks>
/// A flush reads TIME (once a second); a coin is stamped from the last reading carried forward by
/// this process's monotonic clock, which saves each coin a round trip (in throughput mode hundreds
/// a second). A stamp lags Redis's own clock by about the reading's one-way trip, give or take the
/// two clocks' drift over a few seconds: it never lies ahead of it by more than that drift.
/// </remarks>
public sealed class WalletClock
{
    // How long a reading is carried forward before a coin's stamp asks Redis again.
    private static readonly TimeSpan Carried = TimeSpan.FromSeconds(5);

    private Reading? _last;

    /// <summary>Asks Redis for its time, and keeps the reading for <see cref="StampAsync"/>.</summary>
    public async Task<long> ReadAsync(IDatabaseAsync db)
    {
        var time = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
        var now = (long)time[0] * 1000 + (long)time[1] / 1000;
        Volatile.Write(ref _last, new Reading(now, Stopwatch.GetTimestamp()));
        return now;
    }

    /// <summary>Redis's time now, from the last reading when it is recent enough, else read anew.</summary>
    public ValueTask<long> StampAsync(IDatabaseAsync db)
    {
        if (Volatile.Read(ref _last) is { } last && Stopwatch.GetElapsedTime(last.Taken) is var since && since < Carried)
        {
            return ValueTask.FromResult(last.RedisMs + (long)since.TotalMilliseconds);
        }

        return new ValueTask<long>(ReadAsync(db));
    }

    // Redis's time and this process's monotonic timestamp when it was read.
    private sealed record Reading(long RedisMs, long Taken);
}
