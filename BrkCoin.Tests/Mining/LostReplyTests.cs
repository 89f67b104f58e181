using System.Diagnostics.Metrics;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BrkCoin.Tests.Mining;

/// <summary>
/// The worker's counting and coin storing against the real wallet, a redis-server behind a proxy
/// that lets transactions land and loses their replies: what the in-memory wallet, which never
/// answers "not applied", cannot show.
/// </summary>
public sealed class LostReplyTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_counter_batch_whose_reply_was_lost_counts_once_in_redis()
    {
        Prerequisite.Require(redis.Missing);
        await using var audit = await EmptyWalletAsync();
        await using var proxy = new ReplyLosingProxy(redis.Port);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(proxy.ConnectionString);
        var identity = NewIdentity();
        var counter = new HashCounter(new RedisWallet(connection, identity), NullLogger<HashCounter>.Instance);

        RecordUnits(counter, 10);
        proxy.LoseNextTransactionReplies(1);
        await Assert.ThrowsAnyAsync<Exception>(() => counter.FlushAsync(Cancel));
        Assert.Equal(1, proxy.RepliesLost);
        RecordUnits(counter, 5);
        // The lost batch again: Redis answers "not applied", and the mark says it was counted.
        await counter.FlushAsync(Cancel);
        await counter.FlushAsync(Cancel);

        var (hashes, own) = await ReadCountersAsync(audit, identity);
        Assert.Equal(15, hashes);
        Assert.Equal(15, own);
        Assert.Equal(0, counter.Pending);
    }

    [Fact]
    public async Task Mining_flat_out_while_replies_are_lost_counts_every_unit_once_and_keeps_every_coin()
    {
        Prerequisite.Require(redis.Missing);
        await using var audit = await EmptyWalletAsync();
        await using var proxy = new ReplyLosingProxy(redis.Port);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(proxy.ConnectionString);
        var identity = NewIdentity();
        await using var miner = new MinerHarness(
            options =>
            {
                options.Loops = 4;
                options.CounterInterval = TimeSpan.FromMilliseconds(20);
                // Room for a store whose connection was cut to be given up on and retried.
                options.ShutdownGrace = TimeSpan.FromSeconds(14);
            },
            services => new RedisWallet(connection, identity, services.GetRequiredService<WorkerStatus>()));

        await miner.Miner.StartAsync(Cancel);
        // One reply lost at a time, each once the worker has got over the one before: counter
        // batches and coin stores alike, wherever the next EXEC happens to fall.
        for (var lost = 1; lost <= 8; lost++)
        {
            proxy.LoseNextTransactionReplies(1);
            var expected = lost;
            await Eventually.ReturnsAsync(() => Task.FromResult(proxy.RepliesLost), n => n >= expected, TimeSpan.FromSeconds(30), $"reply {lost} to be lost");
        }

        var before = (await ReadCountersAsync(audit, identity)).Hashes;
        await Eventually.ReturnsAsync(async () => (await ReadCountersAsync(audit, identity)).Hashes, n => n > before + 100, TimeSpan.FromSeconds(30), "the counter to move after the last lost reply");
        await miner.Miner.StopAsync(Cancel);

        var (hashes, own) = await ReadCountersAsync(audit, identity);
        TestContext.Current.SendDiagnosticMessage($"lost replies: {proxy.RepliesLost} lost, {miner.Counter.Recorded} units done, hashes {hashes}");
        Assert.Equal(miner.Counter.Recorded, hashes);
        Assert.Equal(miner.Counter.Recorded, own);
        // Every coin found is in the wallet, and each has its "Coin found" line, lost reply or not.
        var found = miner.Hasher.Answered.Where(CoinRule.IsCoin).Order(StringComparer.Ordinal).ToList();
        var wallet = (await audit.GetDatabase().HashKeysAsync(WalletKeys.Wallet)).Select(coin => coin.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(wallet);
        Assert.Equal(found, wallet);
        var logged = miner.Logs.Lines.Where(line => line.Contains("Coin found: ", StringComparison.Ordinal)).Select(line => line[^64..]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(wallet, logged);
    }

    [Fact]
    public async Task A_coin_store_whose_reply_was_lost_is_logged_and_counted_as_found()
    {
        Prerequisite.Require(redis.Missing);
        await using var audit = await EmptyWalletAsync();
        await using var proxy = new ReplyLosingProxy(redis.Port);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(proxy.ConnectionString);
        var identity = NewIdentity();
        await using var miner = new MinerHarness(
            wallet: services => new RedisWallet(connection, identity, services.GetRequiredService<WorkerStatus>()));
        using var coinsCounted = new CoinMeter(miner.MeterFactory);

        // No counter flush here: the first transaction is the first coin's store.
        proxy.LoseNextTransactionReplies(1);
        for (var unit = 0; unit < 2000 && proxy.RepliesLost == 0; unit++)
        {
            await miner.MineUnitsAsync(1);
        }

        Assert.Equal(1, proxy.RepliesLost);
        var coin = Assert.Single(miner.Hasher.Answered, CoinRule.IsCoin);
        Assert.True(await audit.GetDatabase().HashExistsAsync(WalletKeys.Wallet, coin));
        Assert.Contains(miner.Logs.Lines, line => line.Contains($"Coin found: {coin}", StringComparison.Ordinal));
        Assert.DoesNotContain(miner.Logs.Lines, line => line.Contains("We already had that coin", StringComparison.Ordinal));
        Assert.Equal(1, coinsCounted.New);
        Assert.Equal(0, coinsCounted.Known);
    }

    // A direct connection that reads what Redis holds; each test starts from an empty wallet,
    // since the tests of this class share one redis-server.
    private async Task<ConnectionMultiplexer> EmptyWalletAsync()
    {
        var audit = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await audit.GetDatabase().KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.Wallet, WalletKeys.LatestCoins]);
        return audit;
    }

    private static WorkerIdentity NewIdentity() => RedisWalletTests.Identity($"service.instance.id=worker-{Guid.NewGuid():N}");

    private static void RecordUnits(HashCounter counter, int units)
    {
        for (var i = 0; i < units; i++)
        {
            counter.Record();
        }
    }

    private static async Task<(long Hashes, long Own)> ReadCountersAsync(ConnectionMultiplexer audit, WorkerIdentity identity)
    {
        var values = await audit.GetDatabase().StringGetAsync([WalletKeys.Hashes, WalletKeys.WorkerHashes(identity.Id)]);
        return ((long)values[0], (long)values[1]);
    }

    /// <summary>The miner's <c>brkcoin.coins</c> counter, as the dashboard receives it, for one harness only.</summary>
    private sealed class CoinMeter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _new;
        private long _known;

        public CoinMeter(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "brkcoin.coins")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "brkcoin.coin.new")
                    {
                        Interlocked.Add(ref tag.Value is true ? ref _new : ref _known, value);
                    }
                }
            });
            _listener.Start();
        }

        public long New => Interlocked.Read(ref _new);

        public long Known => Interlocked.Read(ref _known);

        public void Dispose() => _listener.Dispose();
    }
}
