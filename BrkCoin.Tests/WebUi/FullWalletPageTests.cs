using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using StackExchange.Redis;

namespace BrkCoin.Tests.WebUi;

/// <summary>
/// The web UI over a real redis-server at its <c>maxmemory</c> (<c>noeviction</c>): it reads,
/// refuses writes, and the page says the wallet is full, with how full, not that it is gone.
/// </summary>
public sealed class FullWalletPageTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_wallet_is_said_as_full_with_how_full_and_the_figures_still_read()
    {
        Prerequisite.Require(redis.Missing);
        await using var audit = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        var db = audit.GetDatabase();
        await db.ExecuteAsync("FLUSHALL");
        await db.HashSetAsync(WalletKeys.Wallet, [new("0a", new byte[] { 1 }), new("0b", new byte[] { 2 })]);
        await db.StringSetAsync(WalletKeys.Hashes, 32);
        using var webui = new WebUiFactory(redis.ConnectionString);
        var client = webui.CreateClient();
        try
        {
            await Eventually.ReturnsAsync(() => client.GetFromJsonAsync<JsonElement>("/api/stats", Cancel),
                stats => stats.GetProperty("hashes").GetInt64() == 32, TimeSpan.FromSeconds(30), "a first sample");

            // Full as a mining wallet gets full: a limit just under what it holds, so writes are refused.
            var used = (await client.GetFromJsonAsync<JsonElement>("/api/stats", Cancel)).GetProperty("walletMemory").GetProperty("usedBytes").GetInt64();
            await db.ExecuteAsync("CONFIG", "SET", "maxmemory", (used - 1024).ToString(CultureInfo.InvariantCulture));
            await Assert.ThrowsAsync<RedisServerException>(() => db.StringIncrementAsync(WalletKeys.Hashes, 1));

            var full = await Eventually.ReturnsAsync(() => client.GetFromJsonAsync<JsonElement>("/api/stats", Cancel),
                stats => stats.GetProperty("walletFull").GetBoolean(), TimeSpan.FromSeconds(30), "the web UI to see the wallet full");
            TestContext.Current.SendDiagnosticMessage($"full wallet page: {full.GetProperty("problem").GetString()}");
            Assert.True(full.GetProperty("walletReachable").GetBoolean());
            Assert.Contains("refuses new coins and counts", full.GetProperty("problem").GetString());
            Assert.Contains("maxmemory", full.GetProperty("problem").GetString());
            Assert.InRange(full.GetProperty("walletMemory").GetProperty("percent").GetDouble(), 100, 200);
            Assert.Equal(2, full.GetProperty("coins").GetInt64());
            Assert.Equal(32, full.GetProperty("hashes").GetInt64());

            var html = await client.GetStringAsync("/", Cancel);
            Assert.Contains("data-testid=\"wallet-full\"", html);
            Assert.Contains("The wallet is full.", html);
            Assert.DoesNotContain("data-testid=\"wallet-down\"", html);
            Assert.DoesNotContain("not answering", html);

            // Room again: the banner goes by itself.
            await db.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
            await Eventually.ReturnsAsync(() => client.GetFromJsonAsync<JsonElement>("/api/stats", Cancel),
                stats => !stats.GetProperty("walletFull").GetBoolean() && stats.GetProperty("problem").ValueKind == JsonValueKind.Null,
                TimeSpan.FromSeconds(30), "the full banner to go once there is room");
        }
        finally
        {
            await db.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        }
    }
}
