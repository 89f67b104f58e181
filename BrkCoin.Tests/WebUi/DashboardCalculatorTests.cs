using BrkCoin.WebUi.Wallet;
using BrkCoin.WebUi.Dashboard;
using static BrkCoin.Tests.WebUi.Samples;

namespace BrkCoin.Tests.WebUi;

public sealed class DashboardCalculatorTests
{
    [Fact]
    public void Speed_is_the_hash_count_difference_over_the_time_difference()
    {
        Assert.Equal(10, SpeedMath.PerSecond(100, Start, 120, Start.AddSeconds(2)));
    }

    [Fact]
    public void A_counter_that_went_down_was_reset_and_counts_from_zero()
    {
        Assert.Equal(5, SpeedMath.PerSecond(1_000, Start, 5, Start.AddSeconds(1)));
    }

    [Fact]
    public void Readings_at_the_same_instant_give_no_speed()
    {
        Assert.Null(SpeedMath.PerSecond(1, Start, 2, Start));
    }

    [Fact]
    public void A_steady_miner_plots_its_steady_speed()
    {
        var history = Enumerable.Range(0, 10).Select(s => At(s, hashes: s * 10L)).ToList();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.Equal(9, dashboard.SpeedHistory.Count);
        Assert.All(dashboard.SpeedHistory, point => Assert.Equal(10, point.Value, 6));
        Assert.Equal(10, dashboard.Speed, 6);
        Assert.Equal(90, dashboard.Hashes);
    }

    [Fact]
    public void A_slow_miner_reads_steady_over_a_longer_window_which_is_stated()
    {
        // 5 hashes/s arriving in uneven flushes, as ten workers at 0.5 hashes/s each deliver them:
        // over three seconds the figure would swing from 3.7 to 6.3.
        int[] perSecond = [3, 7, 2, 8, 6, 4, 1, 9, 5, 5];
        var hashes = 0L;
        var history = Enumerable.Range(0, 60).Select(s => At(s, hashes += s == 0 ? 0 : perSecond[s % perSecond.Length])).ToList();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.All(dashboard.SpeedHistory.TakeLast(30), point => Assert.InRange(point.Value, 4.75, 5.25));
        Assert.Equal(dashboard.SpeedHistory[^1].Value, dashboard.Speed);
        Assert.Equal(TimeSpan.FromSeconds(20), dashboard.SpeedWindow);
    }

    [Fact]
    public void A_fast_miner_keeps_the_three_second_window()
    {
        var history = Enumerable.Range(0, 20).Select(s => At(s, hashes: s * 40L)).ToList();

        Assert.Equal(TimeSpan.FromSeconds(DashboardCalculator.SpeedWindow), DashboardCalculator.Calculate(history).SpeedWindow);
    }

    [Fact]
    public void A_slow_worker_reads_its_own_speed_not_a_flush_more_or_less()
    {
        // Each worker adds one hash every other second, in turn: 0.5 hashes/s each.
        var history = Enumerable.Range(0, 60)
            .Select(s => At(s, s, 0, ("a", (s + 1) / 2), ("b", s / 2)))
            .ToList();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.All(dashboard.Workers, worker => Assert.InRange(worker.Speed, 0.45, 0.55));
        Assert.Equal(DashboardCalculator.LongestSpeedWindow, dashboard.WorkerSpeedWindow);
    }

    [Fact]
    public void Missing_samples_are_bridged_by_the_average_over_the_gap()
    {
        // Redis was down from second 2 to second 7: no samples in between.
        var history = new[] { At(0, 0), At(1, 10), At(2, 20), At(8, 80), At(9, 90) };

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.All(dashboard.SpeedHistory, point => Assert.Equal(10, point.Value, 6));
        Assert.Equal(history.Skip(1).Select(s => s.At.UtcDateTime), dashboard.SpeedHistory.Select(p => p.At));
    }

    [Fact]
    public void Across_a_long_gap_no_speed_is_invented()
    {
        // An earlier run's samples, three minutes of nothing, then this run at 20 hashes/s.
        var history = new[] { At(0, 0), At(1, 10), At(2, 20), At(182, 5000), At(183, 5020), At(184, 5040) };

        var dashboard = DashboardCalculator.Calculate(history);

        // No point for the first sample after the gap (nothing to measure it from); then this
        // run's own speed, not an average over the three minutes.
        Assert.Equal([1, 2, 183, 184], dashboard.SpeedHistory.Select(p => (int)(p.At - Samples.Start.UtcDateTime).TotalSeconds));
        Assert.Equal(20, dashboard.SpeedHistory[^1].Value, 6);
        Assert.Equal(20, dashboard.SpeedHistory[^2].Value, 6);
    }

    [Fact]
    public void Speed_no_listed_worker_accounts_for_is_reported_apart()
    {
        // hashes grows 10 a second; the one BrkCoin worker reports 4 of them.
        var history = Enumerable.Range(0, 5)
            .Select(i => Samples.At(i, i * 10, 0, ("brkcoin-worker", i * 4)))
            .ToArray();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.Equal(6, dashboard.UnlistedSpeed, 6);
    }

    [Fact]
    public void A_rising_speed_is_not_taken_for_unlisted_workers()
    {
        // Ten workers at 0.5 hashes/s each for 50 s, then at 2 each: every hash is a listed worker's.
        var history = Enumerable.Range(0, 56)
            .Select(s => (Second: s, Each: s <= 50 ? s / 2 : 25 + (s - 50) * 2))
            .Select(x => At(x.Second, x.Each * 10L, 0, [.. Enumerable.Range(0, 10).Select(w => ($"w{w}", (long)x.Each))]))
            .ToList();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.Equal(0, dashboard.UnlistedSpeed);
    }

    [Fact]
    public void A_counter_reset_never_plots_a_negative_speed()
    {
        var history = new[] { At(0, 500), At(1, 510), At(2, 520), At(3, 4), At(4, 14) };

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.All(dashboard.SpeedHistory, point => Assert.True(point.Value >= 0));
    }

    [Fact]
    public void Each_live_worker_gets_its_own_speed_and_a_new_one_starts_at_zero()
    {
        var history = new[]
        {
            At(0, 0, 0, ("a", 0), ("b", 0)),
            At(1, 5, 0, ("a", 3), ("b", 2)),
            At(2, 10, 0, ("a", 6), ("b", 4)),
            At(3, 15, 0, ("a", 9), ("b", 6), ("c", 0)),
        };

        var workers = DashboardCalculator.Calculate(history).Workers;

        Assert.Equal(["a", "b", "c"], workers.Select(w => w.Id));
        Assert.Equal(3, workers[0].Speed, 6);
        Assert.Equal(2, workers[1].Speed, 6);
        Assert.Equal(0, workers[2].Speed);
    }

    [Fact]
    public void A_worker_gone_from_the_latest_sample_is_no_longer_listed()
    {
        var history = new[] { At(0, 0, 0, ("a", 0), ("b", 0)), At(1, 5, 0, ("a", 5)) };

        Assert.Equal(["a"], DashboardCalculator.Calculate(history).Workers.Select(w => w.Id));
    }

    [Fact]
    public void Coins_per_minute_come_from_the_trailing_minute()
    {
        // One coin every 2 s for 3 minutes: 30 coins a minute.
        var history = Enumerable.Range(0, 181).Select(s => At(s, hashes: s * 3L, coins: s / 2)).ToList();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.Equal(30, dashboard.CoinsPerMinute, 0);
    }

    [Fact]
    public void No_history_yet_is_the_starting_state()
    {
        var dashboard = DashboardCalculator.Calculate([]);

        Assert.Null(dashboard.SampledAt);
        Assert.Empty(dashboard.SpeedHistory);
    }

    [Fact]
    public void Mining_time_is_the_current_run_from_the_workers_mark()
    {
        var dashboard = DashboardCalculator.Calculate([At(0, 0), At(90, 300) with { RunSince = Start.AddSeconds(30) }]);

        Assert.Equal(TimeSpan.FromSeconds(60), dashboard.MiningFor);
        Assert.False(dashboard.MiningForAtLeast);
        Assert.Equal(Start, dashboard.WalletStartedAt);
    }

    [Fact]
    public void Without_a_run_mark_the_run_is_read_from_the_chart_after_its_last_gap()
    {
        // The original's workers keep no mark: 20 s of mining, a 5-minute stop, then 40 s more.
        var history = Enumerable.Range(0, 21).Select(s => At(s, s * 3L))
            .Concat(Enumerable.Range(0, 41).Select(s => At(320 + s, 60 + s * 3L)))
            .ToList();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.Equal(40, dashboard.MiningFor!.Value.TotalSeconds, 0);
        Assert.False(dashboard.MiningForAtLeast);
    }

    [Fact]
    public void A_run_longer_than_the_history_is_at_least_the_history()
    {
        var history = Enumerable.Range(0, 250).Select(s => At(s, s * 3L)).ToList();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.True(dashboard.MiningForAtLeast);
        Assert.Equal(249, dashboard.MiningFor!.Value.TotalSeconds, 0);
    }

    [Fact]
    public void A_wallet_that_stopped_growing_is_not_mining()
    {
        var history = Enumerable.Range(0, 10).Select(s => At(s, 300)).ToList();

        Assert.Null(DashboardCalculator.Calculate(history).MiningFor);
    }

    [Fact]
    public void Latency_figures_are_the_latest_and_the_chart_follows_the_medians()
    {
        var history = new[]
        {
            At(0, 0),
            At(1, 3) with { Latency = new CallLatency(100, 110, 100, 104) },
            At(2, 6) with { Latency = new CallLatency(700, 800, 101, 105) },
        };

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.Equal(700, dashboard.Latency.RngP50);
        Assert.Equal([100.0, 700.0], dashboard.RngLatencyHistory.Select(p => p.Value));
        Assert.Equal([100.0, 101.0], dashboard.HasherLatencyHistory.Select(p => p.Value));
    }
}
