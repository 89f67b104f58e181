using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Mining;

public sealed class MinerServiceTests
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stopping_flushes_every_unit_done_to_hashes()
    {
        // An hour between flushes: only the shutdown flush can bring the count to the wallet.
        await using var miner = new MinerHarness(options => options.CounterInterval = TimeSpan.FromHours(1));

        await miner.Miner.StartAsync(Cancel);
        await Eventually.ReturnsAsync(() => Task.FromResult(miner.Hasher.Answered.Count), n => n >= 200, TimeSpan.FromSeconds(30), "200 hashes");
        await miner.Miner.StopAsync(Cancel);

        Assert.Equal(miner.Hasher.Answered.Count, miner.Wallet.Hashes);
        Assert.Equal(0, miner.Counter.Pending);
    }

    [Fact]
    public async Task A_call_failing_as_the_worker_stops_does_not_cost_the_count()
    {
        await using var miner = new MinerHarness(options => options.CounterInterval = TimeSpan.FromHours(1));
        await miner.Miner.StartAsync(Cancel);
        await Eventually.ReturnsAsync(() => Task.FromResult(miner.Counter.Pending), n => n >= 50, TimeSpan.FromSeconds(30), "50 units done");

        // The next draw hangs until the stop has begun, then fails: its error arrives while stopping.
        var held = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        miner.Rng.BeforeEachDraw = () =>
        {
            miner.Rng.FailNext(1);
            held.TrySetResult();
            return release.Task;
        };
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        var stopping = miner.Miner.StopAsync(Cancel);
        release.SetResult();
        await stopping;

        Assert.True(miner.Counter.Recorded >= 50);
        Assert.Equal(miner.Counter.Recorded, miner.Wallet.Hashes);
    }

    [Fact]
    public async Task The_counter_is_updated_about_every_interval_while_mining()
    {
        // A tenth of the default second: ten updates within eight seconds can only come from the
        // setting, and no machine, however slow, makes a periodic timer tick sooner than it allows.
        var interval = TimeSpan.FromMilliseconds(100);
        await using var miner = new MinerHarness(options => options.CounterInterval = interval);

        await miner.Miner.StartAsync(Cancel);
        var started = Stopwatch.GetTimestamp();
        var updates = await Eventually.ReturnsAsync(() => Task.FromResult(miner.Wallet.CounterUpdates), n => n >= 10, TimeSpan.FromSeconds(8), "ten counter updates");
        var elapsed = Stopwatch.GetElapsedTime(started);
        var hashesWhileMining = miner.Wallet.Hashes;
        await miner.Miner.StopAsync(Cancel);

        TestContext.Current.TestOutputHelper?.WriteLine($"{updates} counter updates in {elapsed.TotalSeconds:F2} s, {hashesWhileMining} hashes before the stop");
        Assert.True(updates <= elapsed / interval + 1, $"{updates} updates in {elapsed}: more than one per {interval}");
        // Units reached the wallet while mining, not only with the stop's flush.
        Assert.InRange(hashesWhileMining, 1, miner.Counter.Recorded);
    }

    [Fact]
    public async Task Each_configured_loop_mines_side_by_side()
    {
        await using var miner = new MinerHarness(options => options.Loops = 3);
        var waiting = 0;
        var allThree = new TaskCompletionSource();
        // Each draw waits until three draws are in flight at once, which only three loops can do.
        miner.Rng.BeforeEachDraw = () =>
        {
            if (Interlocked.Increment(ref waiting) >= 3)
            {
                allThree.TrySetResult();
            }

            return allThree.Task;
        };

        await miner.Miner.StartAsync(Cancel);
        await allThree.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        await miner.Miner.StopAsync(Cancel);

        Assert.True(miner.Wallet.Hashes >= 3);
    }
}
