using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using BrkCoin.AppHost.Wallet;
using BrkCoin.Mining;
using BrkCoin.Tests.Engine;
using BrkCoin.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>The embedded wallet lives in the AppHost's process: a coin it acknowledged must outlive that process.</summary>
public sealed partial class EmbeddedWalletCrashTests : IDisposable
{
    private const string Password = "a-crash-test-password";
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("brkcoin-crash-");

    [Fact]
    public async Task Every_coin_the_worker_logged_survives_a_SIGKILL_of_the_AppHost()
    {
        var data = _root.CreateSubdirectory("wallet").FullName;
        // DCP keeps each service's console output in a session folder under the temporary
        // folder: a temporary folder of the test's own makes the worker's log lines findable.
        var temp = _root.CreateSubdirectory("tmp").FullName;
        await using var apphost = AppHostProcess.Start(
            new Dictionary<string, string> { ["TMPDIR"] = temp },
            "--Mining:Throughput=true", "--Mining:LoopsPerWorker=16",
            "--Mining:Redis:Backend=Embedded", $"--Mining:Redis:DataPath={data}",
            $"--Parameters:redis-password={Password}");

        var logged = await Eventually.ReturnsAsync(
            () => Task.FromResult(LoggedCoins(temp)),
            coins => coins.Count >= 1_000,
            TimeSpan.FromSeconds(90),
            "the worker to log a thousand coins");
        // At once, while the worker is still storing coins: the newest logged ones were
        // acknowledged only milliseconds ago.
        await apphost.KillAsync();

        var resource = new EmbeddedRedisResource("redis", FreePort.OnLoopback(), data, "64m",
            new ParameterResource("redis-password", _ => Password, secret: true));
        using var restarted = new EmbeddedRedisServer();
        restarted.Start(resource, Password, NullLoggerFactory.Instance);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{resource.Port},password={Password}");
        var db = redis.GetDatabase();

        var missing = new List<string>();
        foreach (var coin in logged)
        {
            var bytes = (byte[]?)await db.HashGetAsync(WalletKeys.Wallet, coin);
            if (bytes is null || !CoinRule.Verifies(coin, bytes))
            {
                missing.Add(coin);
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} of {logged.Count} logged coins are missing or wrong after the SIGKILL, the newest among them: {string.Join(", ", missing.TakeLast(3))}");
    }

    private static HashSet<string> LoggedCoins(string temp) =>
        Directory.EnumerateFiles(temp, "*_out", SearchOption.AllDirectories)
            .SelectMany(file => CoinFound().Matches(ReadShared(file)).Select(match => match.Groups[1].Value))
            .ToHashSet();

    // DCP is still writing the file.
    private static string ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"Coin found: ([0-9a-f]{64})")]
    private static partial Regex CoinFound();
}
