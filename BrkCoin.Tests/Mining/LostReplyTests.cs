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
        await using var lossy = await LossyRedisAsync();
        var counter = new HashCounter(new RedisWallet(lossy.Connection, lossy.Identity), NullLogger<HashCounter>.Instance);

        RecordUnits(counter, 10);
        lossy.Proxy.LoseNextTransactionReplies(1);
        await Assert.ThrowsAnyAsync<Exception>(() => counter.FlushAsync(Cancel));
        Assert.Equal(1, lossy.Proxy.RepliesLost);
        RecordUnits(counter, 5);
        // The lost batch again: Redis answers "not applied", and the mark says it was counted.
        await counter.FlushAsync(Cancel);
        await counter.FlushAsync(Cancel);

        var (hashes, own) = await lossy.ReadCountersAsync();
        Assert.Equal(15, hashes);
        Assert.Equal(15, own);
        Assert.Equal(0, counter.Pending);
    }

    [Fact]
    public async Task Mining_flat_out_while_replies_are_lost_counts_every_unit_once_and_keeps_every_coin()
    {
        await using var lossy = await LossyRedisAsync();
        await using var miner = new MinerHarness(
            options =>
            {
                options.Loops = 4;
                options.CounterInterval = TimeSpan.FromMilliseconds(20);
                // Room for a store whose connection was cut to be given up on and retried.
                options.ShutdownGrace = TimeSpan.FromSeconds(14);
            },
            services => new RedisWallet(lossy.Connection, lossy.Identity, services.GetRequiredService<WorkerStatus>()));

        await miner.Miner.StartAsync(Cancel);
        // One reply lost at a time, each once the worker has got over the one before: counter
        // batches and coin stores alike, wherever the next EXEC happens to fall.
        for (var lost = 1; lost <= 8; lost++)
        {
            lossy.Proxy.LoseNextTransactionReplies(1);
            var expected = lost;
            await Eventually.ReturnsAsync(() => Task.FromResult(lossy.Proxy.RepliesLost), n => n >= expected, TimeSpan.FromSeconds(30), $"reply {lost} to be lost");
        }

        var before = (await lossy.ReadCountersAsync()).Hashes;
        await Eventually.ReturnsAsync(async () => (await lossy.ReadCountersAsync()).Hashes, n => n > before + 100, TimeSpan.FromSeconds(30), "the counter to move after the last lost reply");
        await miner.Miner.StopAsync(Cancel);

        var (hashes, own) = await lossy.ReadCountersAsync();
        TestContext.Current.SendDiagnosticMessage($"lost replies: {lossy.Proxy.RepliesLost} lost, {miner.Counter.Recorded} units done, hashes {hashes}");
        Assert.Equal(miner.Counter.Recorded, hashes);
        Assert.Equal(miner.Counter.Recorded, own);
        // Every coin found is in the wallet, and each has its "Coin found" line, lost reply or not.
        var found = miner.Hasher.Answered.Where(CoinRule.IsCoin).Order(StringComparer.Ordinal).ToList();
        var wallet = (await lossy.Audit.GetDatabase().HashKeysAsync(WalletKeys.Wallet)).Select(coin => coin.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(wallet);
        Assert.Equal(found, wallet);
        var logged = miner.Logs.Lines.Where(line => line.Contains("Coin found: ", StringComparison.Ordinal)).Select(line => line[^64..]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(wallet, logged);
    }

    [Fact]
    public async Task A_coin_store_whose_reply_was_lost_is_logged_and_counted_as_found()
    {
        await using var lossy = await LossyRedisAsync();
        await using var miner = new MinerHarness(
            wallet: services => new RedisWallet(lossy.Connection, lossy.Identity, services.GetRequiredService<WorkerStatus>()));
        using var coinsCounted = new CoinMeter(miner.MeterFactory);

        // No counter flush here: the first transaction is the first coin's store.
        lossy.Proxy.LoseNextTransactionReplies(1);
        for (var unit = 0; unit < 2000 && lossy.Proxy.RepliesLost == 0; unit++)
        {
            await miner.MineUnitsAsync(1);
        }

        Assert.Equal(1, lossy.Proxy.RepliesLost);
        var coin = Assert.Single(miner.Hasher.Answered, CoinRule.IsCoin);
        Assert.True(await lossy.Audit.GetDatabase().HashExistsAsync(WalletKeys.Wallet, coin));
        Assert.Contains(miner.Logs.Lines, line => line.Contains($"Coin found: {coin}", StringComparison.Ordinal));
        Assert.DoesNotContain(miner.Logs.Lines, line => line.Contains("We already had that coin", StringComparison.Ordinal));
        Assert.Equal(1, coinsCounted.New);
        Assert.Equal(0, coinsCounted.Known);
    }

    /// <summary>
    /// The shared redis-server with an empty wallet, reached by the miner through a proxy that can
    /// lose replies, and directly by the test to read what Redis really holds.
    /// </summary>
    private async Task<LossyRedis> LossyRedisAsync()
    {
        Prerequisite.Require(redis.Missing);
        // Each test starts from an empty wallet, since the tests of this class share one redis-server.
        var audit = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await audit.GetDatabase().KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.Wallet, WalletKeys.LatestCoins]);
        var proxy = new ReplyLosingProxy(redis.Port);
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(proxy.ConnectionString);
            return new LossyRedis(audit, proxy, connection, RedisWalletTests.Identity($"service.instance.id=worker-{Guid.NewGuid():N}"));
        }
        catch
        {
            // Nothing owns them yet: a failed connect must not leave the proxy listening.
            await proxy.DisposeAsync();
            await audit.DisposeAsync();
            throw;
        }
    }

    private static void RecordUnits(HashCounter counter, int units)
    {
        for (var i = 0; i < units; i++)
        {
            counter.Record();
        }
    }

    private sealed record LossyRedis(ConnectionMultiplexer Audit, ReplyLosingProxy Proxy, ConnectionMultiplexer Connection, WorkerIdentity Identity) : IAsyncDisposable
    {
        /// <summary>The shared counter and this worker's own, as Redis holds them.</summary>
        public async Task<(long Hashes, long Own)> ReadCountersAsync()
        {
            var values = await Audit.GetDatabase().StringGetAsync([WalletKeys.Hashes, WalletKeys.WorkerHashes(Identity.Id)]);
            return ((long)values[0], (long)values[1]);
        }

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            await Proxy.DisposeAsync();
            await Audit.DisposeAsync();
        }
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
