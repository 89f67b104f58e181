using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using StackExchange.Redis;

namespace BrkCoin.Tests.WebUi;

/// <summary>
/// BrkCoin's page over a wallet mined only through the original's keys (<c>hashes</c> and
/// <c>wallet</c>), as when the original's Python workers mine into BrkCoin's Redis: the page shows
/// what the totals tell instead of blanks.
/// </summary>
public sealed class OriginalWalletTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const int Database = 5;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Workers_without_per_replica_counters_show_their_speed_and_run_time_from_the_totals()
    {
        Prerequisite.Require(redis.Missing);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = direct.GetDatabase(Database);
        await db.ExecuteAsync("FLUSHDB");
        using var webui = new WebUiFactory($"{redis.ConnectionString},defaultDatabase={Database}");
        var client = webui.CreateClient();

        // The original's worker: about 3.33 units a second, INCRBY hashes once a second, HSET for a coin.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var original = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await db.StringIncrementAsync(WalletKeys.Hashes, 3);
                var (hash, bytes) = MineOneCoin();
                await db.HashSetAsync(WalletKeys.Wallet, hash, bytes);
                await Task.Delay(TimeSpan.FromSeconds(1), stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }, Cancel);

        try
        {
            var stats = await Eventually.ReturnsAsync(
                () => client.GetFromJsonAsync<JsonElement>("/api/stats", Cancel),
                s => s.GetProperty("miningForSeconds").ValueKind == JsonValueKind.Number && s.GetProperty("miningForSeconds").GetDouble() >= 4,
                TimeSpan.FromSeconds(30),
                "a run time read from the totals");

            Assert.Empty(stats.GetProperty("workers").EnumerateArray());
            Assert.InRange(stats.GetProperty("unlistedSpeed").GetDouble(), 1.5, 4.5);
            Assert.InRange(stats.GetProperty("speed").GetDouble(), 1.5, 4.5);

            var page = await client.GetStringAsync("/", Cancel);
            Assert.Contains("Workers without per-replica counters", page);
            Assert.DoesNotContain("not started", page);
            Assert.DoesNotContain("No worker has reported", page);
        }
        finally
        {
            await stop.CancelAsync();
            await original;
        }

        // And /json, the original's own endpoint, reads the same totals Redis holds.
        var json = await client.GetFromJsonAsync<JsonElement>("/json", Cancel);
        Assert.Equal(await db.HashLengthAsync(WalletKeys.Wallet), json.GetProperty("coins").GetInt64());
        Assert.Equal((long)await db.StringGetAsync(WalletKeys.Hashes), json.GetProperty("hashes").GetInt64());
    }

    private static (string Hash, byte[] Bytes) MineOneCoin()
    {
        while (true)
        {
            var bytes = RandomNumberGenerator.GetBytes(32);
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (CoinRule.IsCoin(hash))
            {
                return (hash, bytes);
            }
        }
    }
}
