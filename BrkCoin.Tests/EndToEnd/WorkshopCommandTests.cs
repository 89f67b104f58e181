using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// The live workshop driven through Aspire's own command service, as the dashboard's buttons and
/// <c>aspire resource workshop …</c> drive it: replicas start and stop, the knobs change what the
/// services do, and the page follows, all without restarting anything.
/// </summary>
[Collection(WorkshopCollection.Name)]
public sealed class WorkshopCommandTests(WorkshopFixture fixture)
{
    // Generous: a replica starts in a few seconds, a stopped worker leaves the live set after 15 s.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replicas_beyond_the_first_shape_are_declared_but_not_started()
    {
        fixture.RequireRunning();

        var states = await ReplicaStatesAsync("worker");

        Assert.Equal(3, states.Count);
        Assert.True(states.Count(s => s == KnownResourceStates.NotStarted) >= 1, string.Join(", ", states));
    }

    [Fact]
    public async Task Spare_replicas_and_ones_scaled_down_are_left_out_of_the_dashboards_list()
    {
        fixture.RequireRunning();

        // Declared and never started: hidden; the one running: shown.
        var replicas = await ResourceSnapshots.LatestAsync(fixture.App, "worker", Cancel);
        Assert.All(replicas.Where(r => r.State?.Text == KnownResourceStates.NotStarted), r => Assert.True(r.IsHidden));
        Assert.All(replicas.Where(r => r.State?.Text == KnownResourceStates.Running), r => Assert.False(r.IsHidden));
        Assert.Contains(replicas, r => r.State?.Text == KnownResourceStates.Running);

        try
        {
            Assert.True((await ExecuteAsync("scale-worker", ("replicas", "2"))).Success);
            await Eventually.ReturnsAsync(() => ResourceSnapshots.LatestAsync(fixture.App, "worker", Cancel),
                list => list.Count(r => !r.IsHidden && r.State?.Text == KnownResourceStates.Running) == 2, Deadline, "two workers shown, running");
        }
        finally
        {
            Assert.True((await ExecuteAsync("scale-worker", ("replicas", "1"))).Success);
        }

        // The one stopped on purpose is not shown as a Finished row, which reads like a crash.
        var after = await Eventually.ReturnsAsync(() => ResourceSnapshots.LatestAsync(fixture.App, "worker", Cancel),
            list => list.Count(r => !r.IsHidden) == 1, Deadline, "one worker shown");
        Assert.Equal(KnownResourceStates.Running, after.Single(r => !r.IsHidden).State?.Text);
        Assert.All(after.Where(r => r.IsHidden), r => Assert.Contains(r.State?.Text, new[] { KnownResourceStates.NotStarted, KnownResourceStates.Finished, KnownResourceStates.Exited }));
    }

    [Fact]
    public async Task Scaling_workers_up_and_down_is_followed_by_the_replicas_and_the_speed()
    {
        fixture.RequireRunning();
        var webui = fixture.App.CreateHttpClient("webui");

        var up = await ExecuteAsync("scale-worker", ("replicas", "2"));
        Assert.True(up.Success, up.Message);

        // Two workers at the original's pace: 2 × 3.33 hashes/s, under one rng's 10. Each must
        // mine, by its own counter on the server; a speed on shared cores is only printed.
        await Eventually.ReturnsAsync(LiveWorkersAsync, n => n == 2, Deadline, "two live workers");
        await Eventually.ReturnsAsync(() => MiningWorkersAsync(webui), n => n == 2, Deadline, "both workers mining");
        Say($"two workers: {await SpeedAsync(webui):F2} hashes/s (model 6.67)");
        Assert.Contains("2 workers", await webui.GetStringAsync("/", Cancel));

        var down = await ExecuteAsync("scale-worker", ("replicas", "1"));
        Assert.True(down.Success, down.Message);

        await Eventually.ReturnsAsync(LiveWorkersAsync, n => n == 1, Deadline, "one live worker");
        // A ceiling no slow machine can break: one worker, 0.3 s a unit, cannot pass 3.33 hashes/s.
        var alone = await Eventually.ReturnsAsync(() => SpeedAsync(webui), speed => speed is > 0 and < 4.5, Deadline, "one worker's speed");
        Say($"one worker: {alone:F2} hashes/s (model 3.33)");
    }

    [Fact]
    public async Task Workers_are_told_where_each_running_rng_replica_serves()
    {
        fixture.RequireRunning();
        var proxy = fixture.App.GetEndpoint("rng", "http");

        var up = await ExecuteAsync("scale-rng", ("replicas", "2"));
        Assert.True(up.Success, up.Message);

        // The worker's live settings name both replicas' own addresses, not the proxy's, and each
        // one answers there.
        var replicas = await Eventually.ReturnsAsync(() => AnnouncedAsync("RngReplicas"), list => list.Count == 2, Deadline, "two rng replicas announced");
        Assert.DoesNotContain(replicas, address => address.Port == proxy.Port);
        using var direct = new HttpClient();
        foreach (var replica in replicas)
        {
            Assert.Equal(32, (await direct.GetByteArrayAsync(new Uri(replica, "/32"), Cancel)).Length);
        }

        var down = await ExecuteAsync("scale-rng", ("replicas", "1"));
        Assert.True(down.Success, down.Message);
        var left = await Eventually.ReturnsAsync(() => AnnouncedAsync("RngReplicas"), list => list.Count == 1, Deadline, "one rng replica announced");
        Assert.Contains(left.Single(), replicas);
    }

    [Fact]
    public async Task Rng_latency_set_live_shows_at_rng_and_not_at_hasher()
    {
        fixture.RequireRunning();
        var webui = fixture.App.CreateHttpClient("webui");

        try
        {
            var slow = await ExecuteAsync("set-rng-latency", ("milliseconds", "400"));
            Assert.True(slow.Success, slow.Message);

            // rng follows its options monitor: no restart, the next draws take 400 ms.
            // Floors and a ratio, not bands: shared cores only add time, to both services alike.
            var latency = await Eventually.ReturnsAsync(() => LatencyAsync(webui), l => l.RngP50 >= 350, Deadline, "rng's median at 400 ms or more");
            Say($"rng at 400 ms: rng p50 {latency.RngP50:F0} ms, hasher p50 {latency.HasherP50:F0} ms");
            Assert.True(latency.HasherP50 >= 80 && latency.HasherP50 <= latency.RngP50 / 2, $"hasher's median {latency.HasherP50} ms against rng's {latency.RngP50} ms: the slowdown should be rng's alone");
            // The web UI reads the settings file through its own watcher: wait for it, as for rng.
            await Eventually.ReturnsAsync(() => webui.GetStringAsync("/", Cancel), page => page.Contains("rng 400 ms a draw"), Deadline, "the page to show rng's new latency");
        }
        finally
        {
            await ExecuteAsync("set-rng-latency", ("milliseconds", "100"));
        }

        var back = await Eventually.ReturnsAsync(() => LatencyAsync(webui), l => l.RngP50 >= 80 && l.RngP50 <= 2 * l.HasherP50, Deadline, "rng back to hasher's pace");
        Say($"rng back at 100 ms: rng p50 {back.RngP50:F0} ms, hasher p50 {back.HasherP50:F0} ms");
    }

    [Fact]
    public async Task Hasher_latency_and_rngs_cap_are_knobs_too()
    {
        fixture.RequireRunning();
        var webui = fixture.App.CreateHttpClient("webui");

        try
        {
            var slow = await ExecuteAsync("set-hasher-latency", ("milliseconds", "300"));
            Assert.True(slow.Success, slow.Message);
            Assert.Contains("hasher latency 300 ms", slow.Message);
            var seen = await Eventually.ReturnsAsync(() => LatencyAsync(webui), l => l.HasherP50 >= 260 && l.HasherP50 >= 2 * l.RngP50, Deadline, "hasher's median at 300 ms or more, rng's not");
            Say($"hasher at 300 ms: hasher p50 {seen.HasherP50:F0} ms, rng p50 {seen.RngP50:F0} ms");

            // Set, not toggled: the same command twice leaves the cap off, and says so each time.
            for (var i = 0; i < 2; i++)
            {
                var off = await ExecuteAsync("set-rng-cap", ("cap", "off"));
                Assert.True(off.Success, off.Message);
                Assert.Contains("rng cap off", off.Message);
            }

            Assert.Contains("no cap", await Eventually.ReturnsAsync(() => webui.GetStringAsync("/", Cancel), page => page.Contains("no cap"), Deadline, "the page to say rng has no cap"));

            var on = await ExecuteAsync("set-rng-cap", ("cap", "on"));
            Assert.True(on.Success, on.Message);
            Assert.Contains("rng cap on", on.Message);
            await Eventually.ReturnsAsync(() => webui.GetStringAsync("/", Cancel), page => page.Contains("one at a time"), Deadline, "the page to say rng serves one at a time");
        }
        finally
        {
            await ExecuteAsync("set-hasher-latency", ("milliseconds", "100"));
            await ExecuteAsync("set-rng-cap", ("cap", "on"));
        }

        // The panel keeps 10 s of calls: leave it at the original's pace for the next test.
        await Eventually.ReturnsAsync(() => LatencyAsync(webui), l => l.HasherP50 >= 80 && l.HasherP50 <= 2 * l.RngP50, Deadline, "hasher back to rng's pace");
    }

    [Fact]
    public async Task Reset_returns_to_the_first_shape_and_knobs_in_one_step()
    {
        fixture.RequireRunning();

        try
        {
            var up = await ExecuteAsync("scale-worker", ("replicas", "2"));
            Assert.True(up.Success, up.Message);
            // Every command answers with the whole state, not only its own change.
            Assert.Contains("worker ×2", up.Message);
            Assert.Contains("rng latency 100 ms", up.Message);
            Assert.True((await ExecuteAsync("set-rng-latency", ("milliseconds", "250"))).Success);
            Assert.True((await ExecuteAsync("set-rng-cap", ("cap", "off"))).Success);
        }
        finally
        {
            var reset = await ExecuteAsync("reset");
            Assert.True(reset.Success, reset.Message);
            foreach (var part in new[] { "rng ×1", "hasher ×1", "worker ×1", "rng latency 100 ms", "rng cap on", "hasher latency 100 ms" })
            {
                Assert.Contains(part, reset.Message);
            }
        }

        await Eventually.ReturnsAsync(LiveWorkersAsync, n => n == 1, Deadline, "one live worker again");
        var states = await ReplicaStatesAsync("worker");
        Assert.Equal(1, states.Count(state => state == KnownResourceStates.Running));
        var settings = await LiveSettingsAsync();
        Assert.Equal("00:00:00.1000000", settings.GetProperty("Rng").GetProperty("Latency").GetString());
        Assert.Equal(1, settings.GetProperty("Rng").GetProperty("ConcurrentRequests").GetInt32());
        Assert.Equal(1, settings.GetProperty("Workshop").GetProperty("Workers").GetInt32());
    }

    [Theory]
    [InlineData("scale-worker", "0")]
    [InlineData("scale-worker", "4")]
    [InlineData("scale-worker", "two")]
    [InlineData("scale-rng", "-1")]
    [InlineData("set-rng-latency", "99999")]
    [InlineData("set-hasher-latency", "")]
    [InlineData("set-rng-cap", "maybe")]
    public async Task Out_of_range_values_are_refused_with_a_reason(string command, string value)
    {
        fixture.RequireRunning();
        var argument = command.StartsWith("scale", StringComparison.Ordinal) ? "replicas" : command.EndsWith("cap", StringComparison.Ordinal) ? "cap" : "milliseconds";

        var result = await ExecuteAsync(command, (argument, value));

        Assert.False(result.Success);
        // A value out of range gets our reason; no number at all (or a word not offered) is refused by Aspire's own check of the input.
        Assert.Matches("from (0|1) to|as on .* or off|argument validation failed", result.Message);
    }

    private Task<ExecuteCommandResult> ExecuteAsync(string command, params (string Name, string Value)[] arguments) =>
        WorkshopCommand.ExecuteAsync(fixture.App, command, arguments);

    // The worker's view of the replicas, as the AppHost last wrote it to the live-settings file.
    private async Task<List<Uri>> AnnouncedAsync(string key) =>
        [.. (await LiveSettingsAsync()).GetProperty("Worker").GetProperty(key).EnumerateArray().Select(a => new Uri(a.GetString()!))];

    private async Task<JsonElement> LiveSettingsAsync()
    {
        var workshop = fixture.App.Services.GetRequiredService<BrkCoin.AppHost.Workshop.WorkshopControls>();
        using var settings = JsonDocument.Parse(await File.ReadAllTextAsync(workshop.Settings.FilePath, Cancel));
        return settings.RootElement.Clone();
    }

    private async Task<int> LiveWorkersAsync()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-3).ToUnixTimeMilliseconds();
        return (int)await fixture.Redis.GetDatabase().SortedSetLengthAsync(WalletKeys.LiveWorkers, since, double.PositiveInfinity);
    }

    // Live workers whose own counter moved in the page's window: a count the server keeps.
    private async Task<int> MiningWorkersAsync(HttpClient webui)
    {
        var stats = await webui.GetFromJsonAsync<JsonElement>("/api/stats", Cancel);
        return stats.GetProperty("workers").EnumerateArray().Count(worker => worker.GetProperty("speed").GetDouble() > 0);
    }

    private static void Say(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private async Task<double> SpeedAsync(HttpClient webui)
    {
        var stats = await webui.GetFromJsonAsync<JsonElement>("/api/stats", Cancel);
        return stats.GetProperty("speed").GetDouble();
    }

    private async Task<(double? RngP50, double? HasherP50)> LatencyAsync(HttpClient webui)
    {
        var latency = (await webui.GetFromJsonAsync<JsonElement>("/api/stats", Cancel)).GetProperty("latency");
        static double? Read(JsonElement service) =>
            service.GetProperty("p50Ms") is { ValueKind: JsonValueKind.Number } ms ? ms.GetDouble() : null;
        return (Read(latency.GetProperty("rng")), Read(latency.GetProperty("hasher")));
    }

    private async Task<List<string?>> ReplicaStatesAsync(string resource) =>
        [.. (await ResourceSnapshots.LatestAsync(fixture.App, resource, Cancel)).Select(snapshot => snapshot.State?.Text)];
}
