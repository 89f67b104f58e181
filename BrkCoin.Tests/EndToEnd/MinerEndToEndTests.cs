using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using StackExchange.Redis;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>What must hold of the running miner, whatever Redis backs the wallet.</summary>
public abstract class MinerEndToEndTests(MinerAppFixture fixture)
{
    private static readonly TimeSpan MiningDeadline = TimeSpan.FromSeconds(30);

    protected CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hashes_grow_and_coins_appear_at_the_web_ui_json()
    {
        fixture.RequireRunning();
        var webui = fixture.App.CreateHttpClient("webui");

        var first = await Eventually.ReturnsAsync(() => ReadJsonAsync(webui), j => j.Coins > 0, MiningDeadline, "a coin in /json");
        var later = await Eventually.ReturnsAsync(() => ReadJsonAsync(webui), j => j.Hashes > first.Hashes, MiningDeadline, "hashes to grow");

        Assert.True(later.Now > first.Now);

        // Exact, not "at least": read in one transaction, the shared counter is the sum of the
        // live workers' own counters, since each flush moves both in one transaction.
        var db = fixture.Redis.GetDatabase();
        var workers = (await db.SortedSetRangeByRankAsync(WalletKeys.LiveWorkers)).Select(w => w.ToString()).ToList();
        var snapshot = db.CreateTransaction();
        var total = snapshot.StringGetAsync(WalletKeys.Hashes);
        var own = workers.Select(w => snapshot.StringGetAsync(WalletKeys.WorkerHashes(w))).ToList();
        Assert.True(await snapshot.ExecuteAsync());
        Assert.NotEmpty(workers);
        Assert.Equal((long)await total, (await Task.WhenAll(own)).Sum(v => (long)v));
    }

    [Fact]
    public async Task Every_coin_in_the_wallet_verifies()
    {
        fixture.RequireRunning();
        var db = fixture.Redis.GetDatabase();
        await Eventually.ReturnsAsync(() => db.HashLengthAsync(WalletKeys.Wallet), n => n >= 5, MiningDeadline, "five coins");

        var wallet = await db.HashGetAllAsync(WalletKeys.Wallet);

        Assert.All(wallet, entry => Assert.True(
            CoinRule.Verifies(entry.Name!, (byte[])entry.Value!),
            $"{entry.Name} does not verify"));
    }

    [Fact]
    public async Task The_hash_counter_is_a_plain_integer_as_the_original_keeps_it()
    {
        fixture.RequireRunning();
        var db = fixture.Redis.GetDatabase();

        var hashes = await Eventually.ReturnsAsync(() => db.StringGetAsync(WalletKeys.Hashes), v => v.HasValue && v != "0", MiningDeadline, "the counter to move");

        Assert.True(long.TryParse(hashes.ToString(), out var count) && count > 0);
        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync(WalletKeys.Wallet));
    }

    [Theory]
    [InlineData("rng")]
    [InlineData("hasher")]
    [InlineData("worker")]
    [InlineData("webui")]
    public async Task Every_service_answers_its_health_endpoints(string service)
    {
        fixture.RequireRunning();
        var client = fixture.App.CreateHttpClient(service);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", Cancel)).StatusCode);
    }

    [Theory]
    [InlineData("rng", "BrkCoin.Rng")]
    [InlineData("worker", "BrkCoin.Worker")]
    [InlineData("webui", "BrkCoin.WebUi")]
    public async Task Each_service_runs_as_its_own_built_program_without_a_dotnet_run_host(string service, string program)
    {
        fixture.RequireRunning();

        // The pid DCP reports for the running replica, then what the kernel says that process is.
        var pid = await Eventually.ReturnsAsync(() => RunningPidAsync(service), p => p is not null, TimeSpan.FromSeconds(30), $"{service}'s pid");
        var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline", Cancel)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var parentId = (await File.ReadAllLinesAsync($"/proc/{pid}/status", Cancel)).Single(l => l.StartsWith("PPid:", StringComparison.Ordinal)).Split('\t')[1].Trim();
        var parent = (await File.ReadAllTextAsync($"/proc/{parentId}/cmdline", Cancel)).Replace('\0', ' ');

        Assert.Equal(program, Path.GetFileName(commandLine[0]));
        Assert.DoesNotContain("dotnet run", parent);
    }

    private async Task<int?> RunningPidAsync(string service) =>
        (await ResourceSnapshots.LatestAsync(fixture.App, service, Cancel))
            .Where(snapshot => snapshot.State?.Text == KnownResourceStates.Running)
            .Select(snapshot => snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value)
            .Select(pid => int.TryParse(pid?.ToString(), out var id) ? id : (int?)null)
            .FirstOrDefault(id => id is not null);

    [Fact]
    public async Task Rng_and_hasher_answer_through_the_apphost_as_the_worker_sees_them()
    {
        fixture.RequireRunning();
        var bytes = await fixture.App.CreateHttpClient("rng").GetByteArrayAsync("/32", Cancel);
        var hash = await (await fixture.App.CreateHttpClient("hasher").PostAsync("/", new ByteArrayContent(bytes), Cancel))
            .Content.ReadAsStringAsync(Cancel);

        Assert.Equal(32, bytes.Length);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), hash);
    }

    private async Task<OriginalJson> ReadJsonAsync(HttpClient webui)
    {
        var json = await webui.GetFromJsonAsync<JsonElement>("/json", Cancel);
        return new OriginalJson(
            json.GetProperty("coins").GetInt64(),
            json.GetProperty("hashes").GetInt64(),
            json.GetProperty("now").GetDouble());
    }

    private sealed record OriginalJson(long Coins, long Hashes, double Now);
}

/// <summary>One AppHost on the embedded wallet, shared by the end-to-end and browser tests.</summary>
[CollectionDefinition(Name)]
public sealed class EmbeddedMinerCollection : ICollectionFixture<EmbeddedWalletMinerFixture>
{
    public const string Name = "embedded miner";
}

[Collection(EmbeddedMinerCollection.Name)]
public sealed class EmbeddedWalletEndToEndTests(EmbeddedWalletMinerFixture fixture) : MinerEndToEndTests(fixture)
{
    [Fact]
    public async Task The_embedded_wallet_shows_as_a_healthy_redis_resource()
    {
        fixture.RequireRunning();

        var state = await fixture.App.ResourceNotifications
            .WaitForResourceHealthyAsync("redis", Cancel)
            .WaitAsync(TimeSpan.FromSeconds(30), Cancel);

        Assert.Equal("Garnet", state.Snapshot.ResourceType);
        Assert.Equal(KnownResourceStates.Running, state.Snapshot.State?.Text);
    }
}

public sealed class RealRedisEndToEndTests(RealRedisMinerFixture fixture)
    : MinerEndToEndTests(fixture), IClassFixture<RealRedisMinerFixture>
{
    [Fact]
    public async Task The_wallet_is_the_redis_server_named_by_the_connection_string()
    {
        fixture.RequireRunning();
        await using var direct = await ConnectionMultiplexer.ConnectAsync(fixture.Server.ConnectionString);

        var coins = await Eventually.ReturnsAsync(
            () => direct.GetDatabase().HashLengthAsync(WalletKeys.Wallet), n => n > 0, TimeSpan.FromSeconds(30), "coins in redis-server");

        Assert.True(coins > 0);
    }
}
