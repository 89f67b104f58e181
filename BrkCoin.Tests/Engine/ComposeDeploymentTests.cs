using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The publish step's docker-compose.yaml, run by docker-compose on a real engine with images the
/// SDK built, and checked from outside: through the web UI's loopback port, from inside the
/// containers, and by killing processes from the host.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed partial class ComposeDeploymentTests(ComposeMinerFixture fixture) : IClassFixture<ComposeMinerFixture>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromMinutes(2);

    private ComposeProject Project
    {
        get
        {
            Prerequisite.Require(fixture.Engine.Missing);
            return fixture.Project!;
        }
    }

    [Fact]
    public async Task Coins_reach_json_on_the_loopback_port_and_every_coin_verifies()
    {
        await Project.WaitHealthyAsync(Recovery);

        var json = await Eventually.ReturnsAsync(Project.JsonAsync, j => j.Coins >= 2, Recovery, "two coins at /json");

        var wallet = await Project.WalletAsync();
        Assert.True(wallet.Count >= json.Coins, $"wallet holds {wallet.Count}, /json said {json.Coins}");
        Assert.All(wallet, coin => Assert.True(CoinRule.IsCoin(coin.Key) && CoinRule.Verifies(coin.Key, coin.Value), coin.Key));
        Assert.True(json.Hashes >= json.Coins);
    }

    [Fact]
    public async Task Each_service_reaches_only_what_it_calls_and_the_back_end_has_no_way_out()
    {
        await Project.WaitHealthyAsync(Recovery);
        var webui = (await Project.ContainersAsync("webui"))[0];
        var rng = (await Project.ContainersAsync("rng"))[0];
        var hasher = (await Project.ContainersAsync("hasher"))[0];
        var worker = (await Project.ContainersAsync("worker"))[0];
        var redis = (await Project.ContainersAsync("redis"))[0];

        // The worker calls all three.
        Assert.True(await Project.CanConnectAsync(worker, "rng", 8080));
        Assert.True(await Project.CanConnectAsync(worker, "hasher", 8080));
        Assert.True(await Project.CanConnectAsync(worker, "redis", 6379));
        Assert.True(await Project.CanConnectAsync(webui, "redis", 6379));

        // Not even by address: a name that does not resolve is not the only thing in the way.
        var rngAddress = await AddressAsync(rng);
        var hasherAddress = await AddressAsync(hasher);
        var redisAddress = await AddressAsync(redis);
        Assert.False(await Project.CanConnectAsync(webui, "rng", 8080));
        Assert.False(await Project.CanConnectAsync(webui, rngAddress, 8080));
        Assert.False(await Project.CanConnectAsync(webui, "hasher", 8080));
        Assert.False(await Project.CanConnectAsync(webui, hasherAddress, 8080));
        Assert.False(await Project.CanConnectAsync(rng, "redis", 6379));
        Assert.False(await Project.CanConnectAsync(rng, redisAddress, 6379));
        Assert.False(await Project.CanConnectAsync(hasher, "redis", 6379));
        Assert.False(await Project.CanConnectAsync(hasher, redisAddress, 6379));

        // The back-end networks are internal: the engine gives them no way out, so nothing
        // outside them answers — not even the web UI's address on the front network.
        foreach (var network in new[] { "rng", "hasher", "redis" })
        {
            Assert.Equal("true", (await fixture.Engine.DockerAsync("network", "inspect", "--format", "{{.Internal}}", $"{Project.Name}_{network}")).Trim());
        }

        var frontAddress = (await Project.InspectAsync(webui, $"{{{{(index .NetworkSettings.Networks \"{Project.Name}_front\").IPAddress}}}}")).Trim();
        Assert.True(await Project.CanConnectAsync(webui, frontAddress, 8080));
        foreach (var container in new[] { rng, hasher, worker, redis })
        {
            Assert.False(await Project.CanConnectAsync(container, frontAddress, 8080));
        }
    }

    [Fact]
    public async Task Root_filesystems_are_read_only_and_no_process_runs_as_root()
    {
        await Project.WaitHealthyAsync(Recovery);
        foreach (var service in new[] { "rng", "hasher", "worker", "webui", "redis" })
        {
            var container = (await Project.ContainersAsync(service))[0];
            Assert.Equal("true", await Project.InspectAsync(container, "{{.HostConfig.ReadonlyRootfs}}"));
            // The native services' images hold no shell, nor anything else to write with; for them
            // ReadonlyRootfs above is the whole proof. The web UI's holds bash only, Redis's sh.
            if (service is "webui" or "redis")
            {
                var shell = service == "webui" ? "bash" : "sh";
                var (written, output) = await Project.ExecAsync(container, shell, "-c", "echo x > /brkcoin-probe");
                Assert.NotEqual(0, written);
                Assert.Contains("Read-only file system", output, StringComparison.Ordinal);
            }

            // Read from the host: a native image has no cat to read it inside.
            var status = await File.ReadAllTextAsync($"/proc/{await Project.HostPidAsync(container)}/status", TestContext.Current.CancellationToken);
            var uid = UidLine().Match(status).Groups[1].Value;
            Assert.Equal(service == "redis" ? "999" : "1654", uid);
        }
    }

    [Fact]
    public async Task A_worker_killed_from_the_host_is_restarted_and_mines_again()
    {
        await Project.WaitHealthyAsync(Recovery);
        var worker = (await Project.ContainersAsync("worker"))[0];
        var restarts = await RestartCountAsync(worker);

        await KillAsync(await Project.HostPidAsync(worker));

        await Eventually.ReturnsAsync(() => RestartCountAsync(worker), count => count > restarts, Recovery, "worker restarted");
        await Project.WaitHealthyAsync(Recovery);
        var before = (await Project.JsonAsync()).Hashes;
        await Eventually.ReturnsAsync(Project.JsonAsync, j => j.Hashes > before + 5, Recovery, "hashes growing after the restart");
    }

    [Fact]
    public async Task Every_coin_logged_as_found_survives_kill_of_redis_a_restart_and_down_then_up()
    {
        await Project.WaitHealthyAsync(Recovery);
        await Eventually.ReturnsAsync(Project.JsonAsync, j => j.Coins >= 3, Recovery, "three coins");

        // kill -9 of redis-server: every coin a worker logged (after Redis acknowledged it) is kept.
        var redis = (await Project.ContainersAsync("redis"))[0];
        var logged = await LoggedCoinsAsync();
        Assert.NotEmpty(logged);
        await KillAsync(await Project.HostPidAsync(redis));
        await Project.WaitHealthyAsync(Recovery);
        var wallet = await Project.WalletAsync();
        Assert.All(logged, coin => Assert.True(wallet.ContainsKey(coin), $"logged coin {coin} lost by kill -9"));

        // A plain restart of the Redis service.
        logged = await LoggedCoinsAsync();
        await Project.ComposeAsync("restart", "redis");
        await Project.WaitHealthyAsync(Recovery);
        wallet = await Project.WalletAsync();
        Assert.All(logged, coin => Assert.True(wallet.ContainsKey(coin), $"logged coin {coin} lost by restart"));

        // down, then up: the named volume brings every coin back.
        await Eventually.ReturnsAsync(Project.JsonAsync, j => j.Coins > wallet.Count, Recovery, "mining on after the kill");
        var loggedBeforeDown = await LoggedCoinsAsync();
        await Project.ComposeAsync("down", "--timeout", "10");
        await Project.ComposeAsync("up", "-d");
        await Project.WaitHealthyAsync(Recovery);
        var kept = await Project.WalletAsync();
        Assert.All(wallet, coin => Assert.True(kept.ContainsKey(coin.Key), $"coin {coin.Key} lost by down/up"));
        Assert.All(kept, coin => Assert.True(CoinRule.Verifies(coin.Key, coin.Value), coin.Key));
        Assert.Empty(loggedBeforeDown.Except(kept.Keys));
    }

    [Fact]
    public async Task While_redis_is_stopped_for_a_minute_nothing_restarts_and_the_page_says_why()
    {
        await Project.WaitHealthyAsync(Recovery);
        var watched = new List<string>();
        foreach (var service in new[] { "rng", "hasher", "worker", "webui" })
        {
            watched.AddRange(await Project.ContainersAsync(service));
        }

        var restartsBefore = await Task.WhenAll(watched.Select(RestartCountAsync));
        await Project.ComposeAsync("stop", "redis");
        try
        {
            var outageEnds = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            var sawBanner = false;
            while (DateTime.UtcNow < outageEnds)
            {
                using var stats = await Project.WebUi.GetAsync("/api/stats", TestContext.Current.CancellationToken);
                if (stats.IsSuccessStatusCode)
                {
                    var body = await stats.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
                    sawBanner |= !body.GetProperty("walletReachable").GetBoolean();
                }

                // The page itself keeps answering all along.
                using var page = await Project.WebUi.GetAsync("/", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            }

            Assert.True(sawBanner, "the web UI never said the wallet was unreachable");
            var restartsAfter = await Task.WhenAll(watched.Select(RestartCountAsync));
            Assert.Equal(restartsBefore, restartsAfter);
            foreach (var container in watched)
            {
                // Healthy throughout, so Swarm too would leave them be.
                Assert.Equal("running healthy", await Project.InspectAsync(container, "{{.State.Status}} {{.State.Health.Status}}"));
            }
        }
        finally
        {
            await Project.ComposeAsync("start", "redis");
        }

        await Project.WaitHealthyAsync(Recovery);
        var before = (await Project.JsonAsync()).Hashes;
        await Eventually.ReturnsAsync(Project.JsonAsync, j => j.Hashes > before, Recovery, "mining resumed after the outage");
    }

    private async Task<int> RestartCountAsync(string container) =>
        int.Parse(await Project.InspectAsync(container, "{{.RestartCount}}"), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string> AddressAsync(string container) =>
        (await Project.InspectAsync(container, "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}")).Split(' ')[0];

    private async Task<HashSet<string>> LoggedCoinsAsync()
    {
        var logs = await Project.ComposeAsync("logs", "--no-color", "worker");
        return CoinLine().Matches(logs).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task KillAsync(int hostPid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-9", hostPid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, kill.ExitCode);
    }

    [GeneratedRegex(@"Coin found: ([0-9a-f]{64})")]
    private static partial Regex CoinLine();

    [GeneratedRegex(@"(?m)^Uid:\s+(\d+)")]
    private static partial Regex UidLine();
}
