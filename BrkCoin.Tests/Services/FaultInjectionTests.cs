using System.Globalization;
using System.Text.RegularExpressions;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using StackExchange.Redis;

namespace BrkCoin.Tests.Services;

/// <summary>
/// The miner's promises under fire: rng, hasher and a durable redis-server, each killed with
/// kill -9 and restarted three times while a worker mines flat out with four loops, rng frozen
/// for longer than a call may wait, Redis cut while coins are being stored. Then the worker is
/// stopped and the wallet audited: `hashes` equals the units the worker did, exactly; every coin it
/// logged is in the wallet; every coin in the wallet verifies.
/// </summary>
public sealed partial class FaultInjectionTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Through_kills_freezes_and_outages_every_unit_is_counted_once_and_every_coin_kept()
    {
        Prerequisite.Require(Tool.Find("redis-server") is null ? "redis-server is not installed (apt-get install redis-server)." : null);
        using var redis = new DurableRedisServer();
        redis.Start();
        await using var audit = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},abortConnect=false");

        using var services = new LoopbackServices();
        services.Start("BrkCoin.Rng", new Dictionary<string, string> { ["Rng__Latency"] = "0", ["Rng__ConcurrentRequests"] = "0" });
        services.Start("BrkCoin.Hasher", new Dictionary<string, string> { ["Hasher__Latency"] = "0" });
        services.Start("BrkCoin.Worker", new Dictionary<string, string>
        {
            ["Worker__Pause"] = "0",
            ["Worker__Loops"] = "4",
            ["Worker__RetryDelay"] = "00:00:00.100",
            ["Worker__MaxRetryDelay"] = "00:00:01",
            ["Worker__CallTimeout"] = "00:00:02",
            ["Worker__ConnectionReuse"] = "00:00:01",
            ["Worker__ShutdownGrace"] = "00:00:10",
            ["Worker__RngUrl"] = $"http://127.0.0.1:{services.Ports["BrkCoin.Rng"]}",
            ["Worker__HasherUrl"] = $"http://127.0.0.1:{services.Ports["BrkCoin.Hasher"]}",
            ["ConnectionStrings__redis"] = $"{redis.ConnectionString},abortConnect=false,connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000",
        });
        await services.WaitAliveAsync();
        await HashesGrowAsync(audit);

        for (var round = 0; round < 3; round++)
        {
            foreach (var victim in new[] { "BrkCoin.Rng", "BrkCoin.Hasher" })
            {
                await services.SignalAsync(victim, "KILL");
                await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
                services.Restart(victim);
                await HashesGrowAsync(audit);
            }

            // Coins are stored a few hundred times a second: the kill lands among them.
            redis.Kill();
            await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
            redis.Start();
            await HashesGrowAsync(audit);
        }

        // Frozen, not gone: connections hang until the worker's call timeout (2 s) gives up. The
        // worker says so in the wallet, for the page, and the note clears once rng answers again.
        await services.SignalAsync("BrkCoin.Rng", "STOP");
        await Eventually.ReturnsAsync(() => WorkerStatesAsync(audit), states => states.Any(s => s.StartsWith("waiting for rng", StringComparison.Ordinal)), TimeSpan.FromSeconds(15), "the worker to report it waits for rng");
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        await services.SignalAsync("BrkCoin.Rng", "CONT");
        await HashesGrowAsync(audit);
        await Eventually.ReturnsAsync(() => WorkerStatesAsync(audit), states => states.Count == 0, TimeSpan.FromSeconds(15), "the worker's note to clear");

        await services.SignalAsync("BrkCoin.Worker", "TERM");
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel))
        {
            stop.CancelAfter(TimeSpan.FromSeconds(30));
            await services.WaitForExitAsync("BrkCoin.Worker", stop.Token);
        }

        var log = string.Join('\n', services.Logs.Where(line => line.StartsWith("BrkCoin.Worker:", StringComparison.Ordinal)));
        var final = FinalTally().Match(log);
        Assert.True(final.Success, "the worker did not report its final tally");
        var unitsDone = long.Parse(final.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(0, long.Parse(final.Groups[2].Value, CultureInfo.InvariantCulture));

        var db = audit.GetDatabase();
        Assert.True(unitsDone > 1000, $"only {unitsDone} units mined");
        Assert.Equal(unitsDone, (long)await db.StringGetAsync(WalletKeys.Hashes));

        var wallet = (await db.HashGetAllAsync(WalletKeys.Wallet)).ToDictionary(e => e.Name.ToString(), e => (byte[])e.Value!);
        var logged = CoinFound().Matches(log).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(logged);
        Assert.All(logged, coin => Assert.True(wallet.ContainsKey(coin), $"logged coin {coin} is not in the wallet"));
        Assert.All(wallet, coin => Assert.True(CoinRule.IsCoin(coin.Key) && CoinRule.Verifies(coin.Key, coin.Value), coin.Key));
        TestContext.Current.SendDiagnosticMessage(
            $"fault injection: {unitsDone} units done, hashes {unitsDone}; {logged.Count} coins logged, {wallet.Count} in the wallet, all valid");
    }

    // Waits until the miner has visibly mined again since now: the fault was survived.
    private async Task HashesGrowAsync(ConnectionMultiplexer audit)
    {
        var before = await ReadHashesAsync(audit);
        await Eventually.ReturnsAsync(() => ReadHashesAsync(audit), now => now > before + 50, TimeSpan.FromSeconds(45), "hashes to grow after the fault");
        await Task.Delay(Settle, Cancel);
    }

    private static async Task<List<string>> WorkerStatesAsync(ConnectionMultiplexer audit)
    {
        var db = audit.GetDatabase();
        var workers = await db.SortedSetRangeByRankAsync(WalletKeys.LiveWorkers);
        var states = await db.StringGetAsync(workers.Select(w => (RedisKey)WalletKeys.WorkerState(w.ToString())).ToArray());
        return states.Where(s => s.HasValue).Select(s => s.ToString()).ToList();
    }

    private static async Task<long> ReadHashesAsync(ConnectionMultiplexer audit)
    {
        try
        {
            return (long)await audit.GetDatabase().StringGetAsync(WalletKeys.Hashes);
        }
        catch (RedisException)
        {
            return -1;
        }
    }

    [GeneratedRegex(@"Stopped after (\d+) units of work; (\d+) not added")]
    private static partial Regex FinalTally();

    [GeneratedRegex(@"Coin found: ([0-9a-f]{64})")]
    private static partial Regex CoinFound();
}
