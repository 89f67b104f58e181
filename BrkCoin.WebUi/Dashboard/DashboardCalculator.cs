using BrkCoin.WebUi.Wallet;

namespace BrkCoin.WebUi.Dashboard;

/// <summary>Turns the sample history into what the page shows. Pure: no clock, no Redis.</summary>
public static class DashboardCalculator
{
    /// <summary>
    /// Speeds are taken over at least this many samples rather than between neighbours: workers
    /// add to <c>hashes</c> about once a second and the sampler reads once a second, so two
    /// neighbours see 0 or 2 flushes by chance and the line would saw-tooth.
    /// </summary>
    public const int SpeedWindow = 3;

    /// <summary>
    /// A speed's window reaches back until it holds this many hashes: a flush more or less in the
    /// window then moves the figure by a few percent, not by a third (ten workers at 0.5 hashes/s
    /// each read 3.7 or 6.3 over three seconds where the miner does 5.0). Fast miners keep the
    /// three-second window; slow ones get a longer one, which the page states.
    /// </summary>
    public const long HashesForSteadySpeed = 100;

    /// <summary>The same for each worker's own speed: its hashes, counted over every listed worker.</summary>
    public const long HashesPerWorkerForSteadySpeed = 20;

    /// <summary>No speed is averaged over longer than this, however few hashes arrive: a step of the lesson still shows within it.</summary>
    public static readonly TimeSpan LongestSpeedWindow = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CoinWindow = TimeSpan.FromMinutes(1);

    /// <summary>How far the measured speed may stray from the model before the page says so (the workshop's lessons land within it).</summary>
    public const double ModelTolerance = 0.15;

    /// <summary>How long the speed must stay outside the tolerance: a lesson step's ramp takes seconds, not a minute.</summary>
    public static readonly TimeSpan DisagreementSpan = TimeSpan.FromMinutes(1);

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
        var speedWindow = history.Count > 1 ? latest.At - history[WindowStart(history, history.Count - 1, s => s.Hashes, HashesForSteadySpeed)].At : TimeSpan.Zero;

        return new MinerDashboard
        {
            WalletReachable = true,
            SampledAt = latest.At,
            Speed = speed,
            SpeedWindow = speedWindow,
            Coins = latest.Coins,
            Hashes = latest.Hashes,
            CoinsPerMinute = coinsPerMinute.Count > 0 ? coinsPerMinute[^1].Value : 0,
            MiningFor = CurrentRun(history, speeds, out var atLeast),
            MiningForAtLeast = atLeast,
            WalletStartedAt = latest.MiningSince,
            SpeedHistory = speeds,
            CoinsPerMinuteHistory = coinsPerMinute,
            Workers = workers.Speeds,
            WorkerSpeedWindow = workers.Window,
            // Over the workers' own window, so that a speed rising or falling is not taken for
            // unlisted workers; below a tenth of a hash a second it is only the two sides' flushes
            // falling apart.
            UnlistedSpeed = (SpeedMath.PerSecond(workers.From.Hashes, workers.From.At, latest.Hashes, latest.At) ?? 0) - workers.Speeds.Sum(w => w.Speed) is var unlisted && unlisted >= 0.1 ? unlisted : 0,
            LatestCoins = latest.LatestCoins,
            Latency = latest.Latency,
            RngLatencyHistory = LatencySeries(history, latency => latency.RngP50),
            HasherLatencyHistory = LatencySeries(history, latency => latency.HasherP50),
            Model = Cluster.MiningModel.From(latest),
            ModelHistory = history.Where(sample => sample.ModelSpeed is not null)
                .Select(sample => new SpeedPoint(sample.At.UtcDateTime, sample.ModelSpeed!.Value))
                .ToList(),
            ModelDisagrees = Disagrees(history, speeds),
            Cluster = Cluster.ClusterView.From(latest, workers.Speeds),
        };
    }

    // Every speed point of the last minute is outside the tolerance of its sample's model, and
    // the points do cover the minute.
    private static bool Disagrees(IReadOnlyList<MinerSample> history, List<SpeedPoint> speeds)
    {
        var latest = history[^1].At.UtcDateTime;
        // Two samples of one instant (two web UIs) must not throw: the first is enough.
        var models = history.Where(sample => sample.ModelSpeed is not null)
            .GroupBy(sample => sample.At.UtcDateTime)
            .ToDictionary(group => group.Key, group => group.First().ModelSpeed!.Value);
        var recent = speeds.Where(point => latest - point.At <= DisagreementSpan).ToList();
        return recent.Count > 0
            && latest - recent[0].At >= DisagreementSpan - TimeSpan.FromSeconds(2)
            && recent.All(point => models.TryGetValue(point.At, out var model) && model > 0
                && Math.Abs(point.Value - model) / model > ModelTolerance);
    }

    private static List<SpeedPoint> SpeedSeries(IReadOnlyList<MinerSample> history)
    {
        var points = new List<SpeedPoint>(history.Count);
        for (var i = 1; i < history.Count; i++)
        {
            var from = history[WindowStart(history, i, sample => sample.Hashes, HashesForSteadySpeed)];
            var to = history[i];
            if (SpeedMath.PerSecond(from.Hashes, from.At, to.Hashes, to.At) is { } speed)
            {
                points.Add(new SpeedPoint(to.At.UtcDateTime, speed));
            }
        }

        return points;
    }

    /// <summary>
    /// Where the speed at sample <paramref name="end"/> is measured from: <see cref="SpeedWindow"/>
    /// samples back, and further while the window holds fewer than <paramref name="enough"/> units
    /// and spans less than <see cref="LongestSpeedWindow"/>. Never across a gap longer than
    /// <see cref="LongestBridge"/>: after one, from the first sample after it.
    /// </summary>
    private static int WindowStart(IReadOnlyList<MinerSample> history, int end, Func<MinerSample, long> units, long enough)
    {
        var to = history[end];
        var start = end;
        while (start > 0
            && history[start].At - history[start - 1].At <= LongestBridge
            && (end - start < SpeedWindow
                || (Added(units(history[start]), units(to)) < enough && to.At - history[start - 1].At <= LongestSpeedWindow)))
        {
            start--;
        }

        // The first sample after a long gap is its own start: it has no speed yet.
        return start;
    }

    // A counter that went down was reset: what it holds now is all that was added since.
    private static long Added(long earlier, long later) => later >= earlier ? later - earlier : later;

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

    private static (List<WorkerSpeed> Speeds, TimeSpan Window, MinerSample From) WorkerSpeeds(IReadOnlyList<MinerSample> history)
    {
        var latest = history[^1];
        // One window for every row, long enough that the listed workers together added their
        // share of hashes: the rows then add up to the headline and compare with each other.
        var enough = HashesPerWorkerForSteadySpeed * Math.Max(1, latest.WorkerHashes.Count);
        var start = history.Count > 1 ? WindowStart(history, history.Count - 1, ListedHashes(latest), enough) : 0;
        var window = history.Skip(start).ToList();
        var speeds = latest.WorkerHashes
            .OrderBy(worker => worker.Key, StringComparer.Ordinal)
            .Select(worker =>
            {
                // A replica that appeared inside the window is measured from its first sample;
                // one seen only now has no speed yet.
                var first = window.First(sample => sample.WorkerHashes.ContainsKey(worker.Key));
                var speed = SpeedMath.PerSecond(first.WorkerHashes[worker.Key], first.At, worker.Value, latest.At) ?? 0;
                return new WorkerSpeed(worker.Key, speed, worker.Value, latest.WorkerStates?.GetValueOrDefault(worker.Key), latest.WorkerNodes?.GetValueOrDefault(worker.Key));
            })
            .ToList();
        return (speeds, latest.At - window[0].At, window[0]);
    }

    // The hashes of the workers listed now, as an earlier sample counted them.
    private static Func<MinerSample, long> ListedHashes(MinerSample latest) =>
        sample => latest.WorkerHashes.Keys.Sum(id => sample.WorkerHashes.GetValueOrDefault(id));
}
