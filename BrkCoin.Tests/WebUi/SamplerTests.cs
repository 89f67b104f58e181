using System.Net.Http.Json;
using System.Text.Json;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BrkCoin.Tests.WebUi;

public sealed class SamplerTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_sampler_says_unreachable_while_redis_is_down_and_recovers_when_it_starts()
    {
        Prerequisite.Require(redis.Missing);
        // A server of its own, not started yet: the sampler meets a Redis that is down.
        await using var late = new RedisServerFixture();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(
            $"{late.ConnectionString},abortConnect=false,connectTimeout=500,asyncTimeout=500,connectRetry=1");
        var sampler = new HashRateSampler(new WalletReader(connection, TimeProvider.System), TimeProvider.System, NullLogger<HashRateSampler>.Instance);

        await sampler.SampleOnceAsync();
        Assert.False(sampler.Current.WalletReachable);
        Assert.False(string.IsNullOrWhiteSpace(sampler.Current.Problem));

        await late.InitializeAsync();
        var recovered = await Eventually.ReturnsAsync(
            async () => { await sampler.SampleOnceAsync(); return sampler.Current; },
            dashboard => dashboard.WalletReachable,
            TimeSpan.FromSeconds(30),
            "the sampler to reach Redis again");

        Assert.Null(recovered.Problem);
        Assert.NotNull(recovered.SampledAt);
    }

    [Fact]
    public async Task Api_stats_reports_speed_workers_and_latest_coins()
    {
        Prerequisite.Require(redis.Missing);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = direct.GetDatabase(2);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var coin = "0123abcd" + new string('e', 56);
        await db.KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.Wallet, WalletKeys.LiveWorkers, WalletKeys.LatestCoins, WalletKeys.WorkerHashes("w1")]);
        await db.StringSetAsync(WalletKeys.Hashes, 16);
        await db.HashSetAsync(WalletKeys.Wallet, coin, new byte[32]);
        await db.StringSetAsync(WalletKeys.WorkerHashes("w1"), 16, WalletKeys.WorkerExpiry);
        await db.SortedSetAddAsync(WalletKeys.LiveWorkers, "w1", now);
        await db.ListLeftPushAsync(WalletKeys.LatestCoins, $"{coin} {now}");
        using var webui = new WebUiFactory($"{redis.ConnectionString},defaultDatabase=2");
        var client = webui.CreateClient();

        var stats = await Eventually.ReturnsAsync(
            () => client.GetFromJsonAsync<JsonElement>("/api/stats", Cancel),
            json => json.GetProperty("workers").GetArrayLength() == 1,
            TimeSpan.FromSeconds(30),
            "a sample with the worker");

        Assert.True(stats.GetProperty("walletReachable").GetBoolean());
        Assert.Equal(1, stats.GetProperty("coins").GetInt64());
        Assert.Equal(16, stats.GetProperty("hashes").GetInt64());
        Assert.Equal("w1", stats.GetProperty("workers")[0].GetProperty("id").GetString());
        Assert.Equal("0123abcd", stats.GetProperty("latestCoins")[0].GetProperty("prefix").GetString());
        Assert.True(stats.TryGetProperty("speed", out _));
    }
}
