using System.Net.Http.Json;
using System.Text.Json;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;
using Microsoft.Extensions.Logging;
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
    public async Task A_fault_of_the_web_ui_itself_is_logged_as_an_error_and_not_shown_as_redis_down()
    {
        using var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        // The web UI's own code throws, as a bug in the page's maths would: here its side of the
        // Redis client, which throws neither a RedisException nor a timeout.
        var sampler = new HashRateSampler(new WalletReader(BrokenClient.Instance(), TimeProvider.System), TimeProvider.System, loggers.CreateLogger<HashRateSampler>());

        await sampler.SampleOnceAsync();

        Assert.True(sampler.Current.WalletReachable);
        Assert.DoesNotContain("not answering", sampler.Current.Problem);
        Assert.Contains(nameof(InvalidOperationException), sampler.Current.Problem);
        Assert.Contains(logs.Lines, line => line.StartsWith("Error:", StringComparison.Ordinal) && line.Contains(BrokenClient.Fault, StringComparison.Ordinal));
    }

    /// <summary>A Redis client whose every call fails inside the web UI's process, before Redis is asked.</summary>
    public class BrokenClient : System.Reflection.DispatchProxy
    {
        public const string Fault = "a bug in the web UI";

        public static IConnectionMultiplexer Instance() => Create<IConnectionMultiplexer, BrokenClient>();

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) => throw new InvalidOperationException(Fault);
    }

    [Fact]
    public async Task A_page_that_fails_to_take_an_update_does_not_stop_the_others_or_the_sampler()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var sampler = new HashRateSampler(new WalletReader(connection, TimeProvider.System), TimeProvider.System, NullLogger<HashRateSampler>.Instance);
        var delivered = 0;
        sampler.Changed += _ => throw new InvalidOperationException("a closed circuit");
        sampler.Changed += _ => delivered++;

        await sampler.SampleOnceAsync();
        await sampler.SampleOnceAsync();

        Assert.Equal(2, delivered);
    }

    [Fact]
    public async Task A_restarted_web_ui_draws_the_history_an_earlier_one_sampled()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=9");
        var db = connection.GetDatabase();
        await db.KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.SpeedHistory]);
        var earlier = new HashRateSampler(new WalletReader(connection, TimeProvider.System), TimeProvider.System, NullLogger<HashRateSampler>.Instance);
        // A second apart, as the sampler's own timer takes them: samples are stamped with Redis's
        // clock, which no test can step.
        using var seconds = new PeriodicTimer(TimeSpan.FromSeconds(1));
        for (var second = 0; second < 5; second++)
        {
            await db.StringSetAsync(WalletKeys.Hashes, second * 10);
            await earlier.SampleOnceAsync();
            await seconds.WaitForNextTickAsync(Cancel);
        }

        // A new web UI (a restart, a second replica): its first sample already has a history.
        await db.StringSetAsync(WalletKeys.Hashes, 50);
        var restarted = new HashRateSampler(new WalletReader(connection, TimeProvider.System), TimeProvider.System, NullLogger<HashRateSampler>.Instance);
        await restarted.SampleOnceAsync();

        Assert.Equal(5, restarted.Current.SpeedHistory.Count);
        // The very points the earlier one drew (the history keeps milliseconds, as TIME is read),
        // about 10 hashes/s on however busy a machine.
        Assert.Equal(earlier.Current.SpeedHistory, restarted.Current.SpeedHistory.Take(4));
        Assert.All(restarted.Current.SpeedHistory, point => Assert.InRange(point.Value, 5, 20));
    }

    [Fact]
    public async Task The_first_server_response_already_draws_the_history()
    {
        Prerequisite.Require(redis.Missing);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = direct.GetDatabase(10);
        await db.KeyDeleteAsync([WalletKeys.Hashes, WalletKeys.SpeedHistory]);
        using var webui = new WebUiFactory($"{redis.ConnectionString},defaultDatabase=10");
        var client = webui.CreateClient();

        // Mine a little while the sampler watches, until the speed chart has a few points.
        await Eventually.ReturnsAsync(
            async () =>
            {
                await db.StringIncrementAsync(WalletKeys.Hashes, 7);
                return await client.GetFromJsonAsync<JsonElement>("/api/stats", Cancel);
            },
            // Twenty increments a quarter-second apart: some five seconds, so several samples.
            stats => stats.GetProperty("speed").GetDouble() > 0 && stats.GetProperty("hashes").GetInt64() >= 140,
            TimeSpan.FromSeconds(30),
            "a few speed points");

        // No browser, no circuit: only the prerendered HTML.
        var html = await client.GetStringAsync("/", Cancel);

        var polyline = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"static-chart\".*?<polyline[^>]*points=\"([^\"]+)\"", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(polyline.Success, "the first response has no drawn chart:\n" + html[..Math.Min(html.Length, 3000)]);
        Assert.True(polyline.Groups[1].Value.Split(' ').Length >= 2);
        // Like the live chart, on axes with the unit.
        Assert.Contains("data-testid=\"static-axes\"", html);
        Assert.Contains("hashes/s</text>", html);
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

    [Fact]
    public async Task Two_hundred_viewers_cost_redis_what_one_does()
    {
        Prerequisite.Require(redis.Missing);
        await using var direct = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        var server = direct.GetServer(direct.GetEndPoints().Single());
        using var webui = new WebUiFactory($"{redis.ConnectionString},defaultDatabase=5");
        var client = webui.CreateClient();
        await Eventually.ReturnsAsync(() => client.GetAsync("/api/stats", Cancel), r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "a first sample");

        var before = await CommandsProcessedAsync(server);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.GetAsync("/api/stats", Cancel)));
        var elapsed = clock.Elapsed;
        var after = await CommandsProcessedAsync(server);

        Assert.All(answers, answer => Assert.True(answer.IsSuccessStatusCode));
        // Only the sampler talks to Redis: a handful of commands a second, whatever the viewers.
        // 200 viewers reading Redis themselves would cost at least 200 × 2 commands.
        var samplerBudget = 12 * (elapsed.TotalSeconds + 2) + 5;
        Assert.InRange(after - before, 0, samplerBudget);
    }

    private static async Task<long> CommandsProcessedAsync(IServer server)
    {
        var stats = await server.InfoAsync("stats");
        return long.Parse(stats.SelectMany(g => g).Single(p => p.Key == "total_commands_processed").Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
