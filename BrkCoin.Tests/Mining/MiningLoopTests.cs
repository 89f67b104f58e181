using BrkCoin.Tests.Support;
using BrkCoin.Mining;

namespace BrkCoin.Tests.Mining;

public sealed class MiningLoopTests
{
    // (15/16)^400 ≈ 6e-12: 400 units all but certainly include coins and non-coins.
    private const int Units = 400;

    [Fact]
    public async Task Coin_is_stored_only_when_hash_starts_with_zero()
    {
        await using var miner = new MinerHarness();

        await miner.MineUnitsAsync(Units);

        var expectedCoins = miner.Hasher.Answered.Where(h => h[0] == '0').ToHashSet();
        Assert.NotEmpty(expectedCoins);
        Assert.True(expectedCoins.Count < Units);
        Assert.Equal(expectedCoins.OrderBy(h => h), miner.Wallet.Coins.Keys.OrderBy(h => h));
        Assert.All(miner.Wallet.Coins, coin => Assert.True(CoinRule.Verifies(coin.Key, coin.Value)));
    }

    [Fact]
    public async Task Every_unit_is_counted_once_and_flushed_to_hashes()
    {
        await using var miner = new MinerHarness();

        await miner.MineUnitsAsync(Units);
        Assert.Equal(Units, miner.Counter.Pending);

        await miner.Counter.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Units, miner.Wallet.Hashes);
        Assert.Equal(0, miner.Counter.Pending);
    }

    [Fact]
    public async Task A_failed_counter_update_keeps_its_units_for_the_next()
    {
        await using var miner = new MinerHarness();
        miner.Wallet.FailNextCounterUpdates(2);

        await miner.MineUnitsAsync(10);
        await Assert.ThrowsAnyAsync<Exception>(() => miner.Counter.FlushAsync(TestContext.Current.CancellationToken));
        await miner.MineUnitsAsync(5);
        await Assert.ThrowsAnyAsync<Exception>(() => miner.Counter.FlushAsync(TestContext.Current.CancellationToken));
        Assert.Equal(15, miner.Counter.Pending);

        // The batch that failed goes first, unchanged; the units done since go next.
        await miner.Counter.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(10, miner.Wallet.Hashes);
        await miner.Counter.FlushAsync(TestContext.Current.CancellationToken);
        Assert.Equal(15, miner.Wallet.Hashes);
        Assert.Equal(0, miner.Counter.Pending);
    }

    [Fact]
    public async Task A_counter_update_whose_reply_was_lost_is_not_counted_twice()
    {
        await using var miner = new MinerHarness();
        miner.Wallet.LoseNextCounterReplies(1);

        await miner.MineUnitsAsync(10);
        // Applied, but the worker cannot know: the batch stays pending and is sent again.
        await Assert.ThrowsAnyAsync<Exception>(() => miner.Counter.FlushAsync(TestContext.Current.CancellationToken));
        Assert.Equal(10, miner.Counter.Pending);
        await miner.MineUnitsAsync(5);
        await miner.Counter.FlushAsync(TestContext.Current.CancellationToken);
        await miner.Counter.FlushAsync(TestContext.Current.CancellationToken);

        Assert.Equal(15, miner.Wallet.Hashes);
        Assert.Equal(0, miner.Counter.Pending);
    }

    [Fact]
    public async Task A_coin_found_while_the_wallet_is_down_is_stored_when_it_returns()
    {
        await using var miner = new MinerHarness();
        miner.Wallet.FailNextStores(3);

        await miner.MineUnitsAsync(Units);

        var coinsFound = miner.Hasher.Answered.Count(h => h[0] == '0');
        Assert.Equal(coinsFound, miner.Wallet.Coins.Count);
        Assert.Equal(coinsFound + 3, miner.Wallet.StoreAttempts);
        Assert.Equal(Units, miner.Counter.Pending);
    }

    [Fact]
    public async Task An_rng_error_is_retried_and_never_hashed()
    {
        await using var miner = new MinerHarness();
        miner.Rng.FailNext(3);

        await miner.MineUnitsAsync(1);

        Assert.Equal(4, miner.Rng.Calls);
        Assert.Single(miner.Hasher.Received);
        Assert.Equal(1, miner.Counter.Pending);
    }

    [Fact]
    public async Task A_hasher_timeout_is_retried_with_the_same_bytes_and_the_unit_counted_once()
    {
        await using var miner = new MinerHarness();
        miner.Hasher.FailNext(2);

        await miner.MineUnitsAsync(1);

        Assert.Single(miner.Hasher.Answered);
        // rng, the bottleneck, is not asked again for a hasher failure.
        Assert.Equal(1, miner.Rng.Calls);
        Assert.Equal(1, miner.Counter.Pending);
    }

    [Fact]
    public async Task A_refusal_is_not_retried_but_reported_in_health_until_the_step_succeeds_again()
    {
        await using var miner = new MinerHarness();
        var health = new BrkCoin.Worker.Mining.MiningHealthCheck(miner.Status);
        miner.Rng.Refusing = true;

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => miner.MineUnitsAsync(1));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(1, miner.Rng.Calls);
        Assert.StartsWith("rng refuses", miner.Status.Problem);
        var report = await health.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, report.Status);

        miner.Rng.Refusing = false;
        await miner.MineUnitsAsync(1);

        Assert.Null(miner.Status.Problem);
        report = await health.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, report.Status);
    }

    [Fact]
    public async Task A_forged_coin_from_the_hasher_never_enters_the_wallet()
    {
        await using var miner = new MinerHarness();
        miner.Hasher.LieNext(5);

        await miner.MineUnitsAsync(5);

        Assert.All(miner.Wallet.Coins, coin => Assert.True(CoinRule.Verifies(coin.Key, coin.Value)));
        Assert.Equal(5, miner.Counter.Pending);
    }

    [Fact]
    public async Task A_loop_mines_on_while_the_wallet_stores_a_coin_and_counts_that_unit_once_it_is_stored()
    {
        await using var miner = new MinerHarness();
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        miner.Wallet.BeforeEachStore = () => commit.Task;
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var loop = miner.NewLoop();
        var run = loop.RunAsync(stopping.Token, TestContext.Current.CancellationToken);

        // A second coin found while the first is still being stored: the loop did not wait for
        // the wallet. It then waits, so that only one store per loop is ever in the air.
        await Eventually.ReturnsAsync(
            () => Task.FromResult(miner.Hasher.Answered.Count(h => h[0] == '0')), coins => coins >= 2, TimeSpan.FromSeconds(10), "a second coin");
        var answered = miner.Hasher.Answered.ToList();
        Assert.Equal(2, answered.Count(h => h[0] == '0'));
        Assert.Equal(1, miner.Wallet.StoreAttempts);
        // Every unit is counted but the two whose coins are not in the wallet yet.
        Assert.Equal(answered.Count - 2, miner.Counter.Recorded);

        // Stopped with a coin in the air: the loop ends only once it is stored and counted.
        await stopping.CancelAsync();
        Assert.False(run.IsCompleted);
        commit.SetResult();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(miner.Hasher.Answered.Count, miner.Counter.Recorded);
        Assert.Equal(miner.Hasher.Answered.Where(h => h[0] == '0').Order(), miner.Wallet.Coins.Keys.Order());
    }
}
