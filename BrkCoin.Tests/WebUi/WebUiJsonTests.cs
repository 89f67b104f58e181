using System.Net.Http.Json;
using System.Text.Json;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using StackExchange.Redis;

namespace BrkCoin.Tests.WebUi;

public sealed class WebUiJsonTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Json_reports_the_wallet_with_the_original_field_names()
    {
        RequireRedis();
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = direct.GetDatabase();
        await db.KeyDeleteAsync([WalletKeys.Wallet, WalletKeys.Hashes]);
        await db.HashSetAsync(WalletKeys.Wallet, [new("0a", new byte[] { 1 }), new("0b", new byte[] { 2 }), new("0c", new byte[] { 3 })]);
        await db.StringIncrementAsync(WalletKeys.Hashes, 48);
        using var webui = new WebUiFactory(redis.ConnectionString);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var json = await webui.CreateClient().GetFromJsonAsync<JsonElement>("/json", Cancel);

        Assert.Equal(["coins", "hashes", "now"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, json.GetProperty("coins").GetInt64());
        Assert.Equal(48, json.GetProperty("hashes").GetInt64());
        Assert.InRange(json.GetProperty("now").GetDouble(), before - 1, before + 60);
    }

    [Fact]
    public async Task Json_of_an_empty_wallet_is_zeroes()
    {
        RequireRedis();
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await direct.GetDatabase(1).KeyDeleteAsync([WalletKeys.Wallet, WalletKeys.Hashes]);
        // Database 1 of the same server: nothing has been mined there.
        using var webui = new WebUiFactory($"{redis.ConnectionString},defaultDatabase=1");

        var json = await webui.CreateClient().GetFromJsonAsync<JsonElement>("/json", Cancel);

        Assert.Equal(0, json.GetProperty("coins").GetInt64());
        Assert.Equal(0, json.GetProperty("hashes").GetInt64());
    }

    [Fact]
    public async Task Json_of_a_counter_someone_else_overwrote_is_a_problem_that_says_so()
    {
        RequireRedis();
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await direct.GetDatabase(6).StringSetAsync(WalletKeys.Hashes, "lots");
        using var webui = new WebUiFactory($"{redis.ConnectionString},defaultDatabase=6");

        var response = await webui.CreateClient().GetAsync("/json", Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("lots", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Json_while_redis_is_unreachable_is_a_503_problem()
    {
        using var webui = new WebUiFactory($"127.0.0.1:{FreePort.OnLoopback()},connectTimeout=500,syncTimeout=500,asyncTimeout=500");

        var response = await webui.CreateClient().GetAsync("/json", Cancel);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task The_original_page_address_leads_to_the_page()
    {
        using var webui = new WebUiFactory($"127.0.0.1:{FreePort.OnLoopback()},abortConnect=false");
        var client = webui.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/index.html", Cancel);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    private void RequireRedis() => Prerequisite.Require(redis.Missing);
}
