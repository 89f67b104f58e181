using BrkCoin.WebUi.Wallet;

namespace BrkCoin.WebUi.Dashboard;

/// <summary>Turns the sample history into what the page shows. Pure: no clock, no Redis.</summary>
public static class DashboardCalculator
{
    /// <summary>
    /// Speeds are taken over this many samples rather than between neighbours: workers add to
    /// <c>hashes</c> about once a second and the sampler reads once a second, so two neighbours
    /// see 0 or 2 flushes by chance and the line would saw-tooth.
    /// </summary>
    public const int SpeedWindow = 3;

    private static readonly TimeSpan CoinWindow = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Longest stretch without samples that a speed is averaged over: a Redis outage of a few
    /// seconds is bridged; across a longer one (the web UI or the miner stopped, the history coming
    /// from an earlier run) no speed is invented, and the chart goes straight from the last point
    /// before to the first after.
    /// </summary>
    public static readonly TimeSpan LongestBridge = BrkCoin.Mining.WalletKeys.RunGap;

    public static MinerDashboard Calculate(IReadOnlyList<MinerSample> history)
    {
        if (history.Count == 0)
        {
            return MinerDashboard.Starting;
        }

        var latest = history[^1];
        var speeds = SpeedSeries(history);
        var coinsPerMinute = CoinsPerMinuteSeries(history);
        var workers = WorkerSpeeds(history);
        var speed = speeds.Count > 0 ? speeds[^1].Value : 0;

        return new MinerDashboard
        {
            WalletReachable = true,
            SampledAt = latest.At,
            Speed = speed,
            Coins = latest.Coins,
            Hashes = latest.Hashes,
            CoinsPerMinute = coinsPerMinute.Count > 0 ? coinsPerMinute[^1].Value : 0,
            MiningFor = CurrentRun(history, speeds, out var atLeast),
            MiningForAtLeast = atLeast,
            WalletStartedAt = latest.MiningSince,
            SpeedHistory = speeds,
            CoinsPerMinuteHistory = coinsPerMinute,
            Workers = workers,
            // Below a tenth of a hash a second it is only the two sides' flushes falling apart.
            UnlistedSpeed = speed - workers.Sum(w => w.Speed) is var unlisted && unlisted >= 0.1 ? unlisted : 0,
            LatestCoins = latest.LatestCoins,
            Latency = latest.Latency,
            RngLatencyHistory = LatencySeries(history, latency => latency.RngP50),
            HasherLatencyHistory = LatencySeries(history, latency => latency.HasherP50),
        };
    }

    private static List<SpeedPoint> SpeedSeries(IReadOnlyList<MinerSample> history)
    {
        var points = new List<SpeedPoint>(history.Count);
        for (var i = 1; i < history.Count; i++)
        {
            var from = history[Math.Max(0, i - SpeedWindow)];
            var to = history[i];
            if (to.At - from.At > LongestBridge)
            {
                // Measure from the first sample after the gap instead, once there are two.
                from = history.Skip(Math.Max(0, i - SpeedWindow)).Take(SpeedWindow + 1).First(s => to.At - s.At <= LongestBridge);
            }

            if (SpeedMath.PerSecond(from.Hashes, from.At, to.Hashes, to.At) is { } speed)
            {
                points.Add(new SpeedPoint(to.At.UtcDateTime, speed));
            }
        }

        return points;
    }

    /// <summary>
    /// How long the current run of mining has lasted, so the figure and the chart agree: from
    /// BrkCoin's workers' own mark when there is one; else (the original's workers, which keep
    /// none) from the chart itself, back to where the speed last fell to zero or the samples
    /// stopped, and "at least" that when the run reaches back past the history. Null: not mining.
    /// </summary>
    private static TimeSpan? CurrentRun(IReadOnlyList<MinerSample> history, List<SpeedPoint> speeds, out bool atLeast)
    {
        var latest = history[^1];
        atLeast = false;
        if (latest.RunSince is { } since)
        {
            return latest.At - since;
        }

        if (speeds.Count == 0 || speeds[^1].Value <= 0)
        {
            return null;
        }

        var start = speeds.Count - 1;
        while (start > 0 && speeds[start - 1].Value > 0 && speeds[start].At - speeds[start - 1].At <= LongestBridge)
        {
            start--;
        }

        atLeast = start == 0;
        // The first speed above zero is the first sample the counter grew by: the run began at the sample before it.
        var began = history.Last(sample => sample.At.UtcDateTime < speeds[start].At).At;
        return latest.At - began;
    }

    private static List<SpeedPoint> LatencySeries(IReadOnlyList<MinerSample> history, Func<CallLatency, double?> figure) =>
        history
            .Where(sample => figure(sample.Latency) is not null)
            .Select(sample => new SpeedPoint(sample.At.UtcDateTime, figure(sample.Latency)!.Value))
            .ToList();

    private static List<SpeedPoint> CoinsPerMinuteSeries(IReadOnlyList<MinerSample> history)
    {
        var points = new List<SpeedPoint>(history.Count);
        var start = 0;
        for (var i = 1; i < history.Count; i++)
        {
            while (history[i].At - history[start].At > CoinWindow)
            {
                start++;
            }

            var from = history[start];
            if (SpeedMath.PerSecond(from.Coins, from.At, history[i].Coins, history[i].At) is { } perSecond)
            {
                points.Add(new SpeedPoint(history[i].At.UtcDateTime, perSecond * 60));
            }
        }

        return points;
    }

    private static List<WorkerSpeed> WorkerSpeeds(IReadOnlyList<MinerSample> history)
    {
        var window = history.Skip(Math.Max(0, history.Count - 1 - SpeedWindow)).ToList();
        var latest = window[^1];
        return latest.WorkerHashes
            .OrderBy(worker => worker.Key, StringComparer.Ordinal)
            .Select(worker =>
            {
                // A replica that appeared inside the window is measured from its first sample;
                // one seen only now has no speed yet.
                var first = window.First(sample => sample.WorkerHashes.ContainsKey(worker.Key));
                var speed = SpeedMath.PerSecond(first.WorkerHashes[worker.Key], first.At, worker.Value, latest.At) ?? 0;
                return new WorkerSpeed(worker.Key, speed, worker.Value, latest.WorkerStates?.GetValueOrDefault(worker.Key));
            })
            .ToList();
    }
}
