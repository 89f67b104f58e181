using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using StackExchange.Redis;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// Feeds the environment written into docker-compose.yaml to the real service programs on
/// loopback. The names and values are the file's, with one change a machine without Docker
/// forces: each host:port a container would reach (rng:8080, redis:6379) becomes the loopback
/// port that service was given here.
/// </summary>
[Collection(PublishedFilesCollection.Name)]
public sealed class GeneratedEnvironmentTests(PublishedFilesFixture published) : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly ComposeFile _compose = new(published.Output);
    private RedisServerFixture? _redis;

    [Fact]
    public async Task The_services_find_each_other_and_redis_with_the_generated_environment()
    {
        var password = _compose.Secrets["REDIS_PASSWORD"];
        _redis = new RedisServerFixture { Password = password };
        await _redis.InitializeAsync();
        Prerequisite.Require(_redis.Missing);

        var ports = new Dictionary<string, int>
        {
            ["rng"] = FreePort.OnLoopback(),
            ["hasher"] = FreePort.OnLoopback(),
            ["worker"] = FreePort.OnLoopback(),
            ["webui"] = FreePort.OnLoopback(),
        };
        var hosts = new Dictionary<string, string>
        {
            ["rng:8080"] = $"127.0.0.1:{ports["rng"]}",
            ["hasher:8080"] = $"127.0.0.1:{ports["hasher"]}",
            ["redis:6379"] = _redis.ConnectionString,
        };

        foreach (var (service, project) in new[] { ("rng", "BrkCoin.Rng"), ("hasher", "BrkCoin.Hasher"), ("worker", "BrkCoin.Worker"), ("webui", "BrkCoin.WebUi") })
        {
            var environment = _compose.Environment(service)
                .ToDictionary(v => v.Key, v => hosts.Aggregate(_compose.Interpolate(v.Value), (value, host) => value.Replace(host.Key, host.Value, StringComparison.Ordinal)));
            // Tests bind loopback only; in a container HTTP_PORTS=8080 binds every interface.
            environment["HTTP_PORTS"] = ports[service].ToString();
            environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports[service]}";
            var process = Process.Start(BuiltProgram.StartInfo(project, [], environment))!;
            // Drain the logs so a full pipe never blocks a service.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _processes.Add(process);
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports["webui"]}") };
        var json = await Eventually.ReturnsAsync(
            () => http.GetFromJsonAsync<JsonElement>("/json", TestContext.Current.CancellationToken),
            j => j.GetProperty("coins").GetInt64() > 0,
            TimeSpan.FromSeconds(90),
            "coins at the web UI of the generated deployment");

        await using var direct = await ConnectionMultiplexer.ConnectAsync($"{_redis.ConnectionString},password={password}");
        var wallet = await direct.GetDatabase().HashGetAllAsync(WalletKeys.Wallet);
        Assert.InRange(json.GetProperty("coins").GetInt64(), 1, wallet.Length);
        Assert.All(wallet, coin => Assert.True(CoinRule.Verifies(coin.Name!, (byte[])coin.Value!)));

        // The compose health checks as written — the native services' own binary with
        // --probe-alive, the web UI's bash over /dev/tcp: each passes on a live service and fails
        // where nothing listens.
        foreach (var service in new[] { "rng", "hasher", "worker", "webui" })
        {
            Assert.Equal(0, await RunHealthCheckAsync(service, ports[service]));
        }

        Assert.NotEqual(0, await RunHealthCheckAsync("rng", FreePort.OnLoopback()));
        Assert.NotEqual(0, await RunHealthCheckAsync("webui", FreePort.OnLoopback()));
    }

    private async Task<int> RunHealthCheckAsync(string service, int port)
    {
        var test = ComposeFile.List(ComposeFile.Map(_compose.Service(service)["healthcheck"])["test"]);
        Assert.Equal("CMD", test[0]);
        // As Compose hands it to the container: "$$" becomes the "$" the shell gets. The image's
        // own binary (/app/BrkCoin.Rng) is the one this build made.
        var arguments = test.Skip(2).Select(_compose.Interpolate);
        var start = test[1].StartsWith("/app/", StringComparison.Ordinal)
            ? BuiltProgram.StartInfo(test[1]["/app/".Length..], arguments)
            : new ProcessStartInfo(test[1], arguments);
        start.RedirectStandardError = true;

        start.Environment["HTTP_PORTS"] = port.ToString();
        using var check = Process.Start(start)!;
        await check.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        return check.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
