using BrkCoin.WebUi.Wallet;
using StackExchange.Redis;

namespace BrkCoin.WebUi.Dashboard;

/// <summary>
/// Reads Redis once a second for every viewer at once — 200 open pages cost Redis what one
/// does — keeps the last <see cref="HistoryLength"/> samples (a lesson's fifteen minutes, where
/// the original kept 250), shares them in Redis (<c>brkcoin:history</c>) so a restarted web UI starts with
/// them, and pushes each new dashboard to the circuits.
/// </summary>
public sealed class HashRateSampler(WalletReader reader, TimeProvider clock, ILogger<HashRateSampler> logger)
    : BackgroundService, IMinerFeed
{
    public static readonly int HistoryLength = (int)BrkCoin.Mining.WalletKeys.HistoryKept.TotalSeconds;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Queue<MinerSample> _history = new(HistoryLength);

    public MinerDashboard Current { get; private set; } = MinerDashboard.Starting;

    public event Action<MinerDashboard>? Changed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            await SampleOnceAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Takes one sample and publishes the dashboard it gives (or the unreachable state).</summary>
    public async Task SampleOnceAsync()
    {
        MinerDashboard next;
        try
        {
            var read = await reader.ReadSampleAsync();
            // Kept with the sample in the shared history: the chart's model line outlives this web UI.
            var sample = read with { ModelSpeed = Cluster.MiningModel.From(read)?.Expected };
            if (_history.Count == 0)
            {
                // A web UI that just started (or a second replica) draws what was mined before it.
                foreach (var earlier in await reader.ReadHistoryAsync(sample.At))
                {
                    _history.Enqueue(earlier);
                }
            }

            while (_history.Count >= HistoryLength)
            {
                _history.Dequeue();
            }

            _history.Enqueue(sample);
            var recorded = await reader.RecordHistoryAsync(sample);
            next = DashboardCalculator.Calculate([.. _history]).WithWalletMemory(sample.Memory, refusedForMemory: !recorded);
        }
        // Redis not answering, or answering with what the miner never writes: the wallet's side.
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidDataException)
        {
            if (Current.WalletReachable)
            {
                logger.LogWarning("The wallet (Redis) is unreachable: {Reason}", ex.Message);
            }

            // Keep the last figures on screen and say plainly that they are stale.
            next = Current with
            {
                WalletReachable = false,
                Problem = ex is InvalidDataException
                    ? $"The wallet holds data the miner did not write: {ex.Message} The figures below are the last known."
                    : "The wallet (Redis) is not answering. The figures below are the last known; the page recovers by itself when Redis is back.",
            };
        }
        // Anything else is the web UI's own fault (a bug in the page's maths, say), not an outage:
        // logged as the error it is, with its stack, and shown as such. The sampler goes on, since
        // one that threw would stop the host, and the page keeps its last figures.
        catch (Exception ex)
        {
            var problem = $"The web UI could not work out the figures ({ex.GetType().Name}: {ex.Message}). The figures below are the last known; Redis is not the cause.";
            if (Current.Problem != problem)
            {
                logger.LogError(ex, "The web UI could not work out the figures from the wallet");
            }

            next = Current with { WalletReachable = true, Problem = problem };
        }

        Current = next;
        // Each page separately: one failing subscriber must neither stop the others nor, by
        // escaping here, the sampler and with it the web UI's host.
        foreach (var subscriber in Changed?.GetInvocationList().Cast<Action<MinerDashboard>>() ?? [])
        {
            try
            {
                subscriber(next);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A page could not take the new figures");
            }
        }
    }
}
