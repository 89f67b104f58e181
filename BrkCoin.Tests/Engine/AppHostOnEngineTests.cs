using System.Net.Http.Json;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The AppHost's container path in run mode (Aspire.Hosting.Redis with its data volume) on the
/// real engine, and the Auto choice on an engine that cannot supply the image.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class AppHostOnEngineTests(DockerEngineFixture engine)
{
    private static readonly TimeSpan Startup = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_redis_container_keeps_the_wallet_across_an_apphost_restart()
    {
        Prerequisite.Require(engine.Missing);
        // Auto, not Container: with an engine that holds the image, Auto must choose the container.
        string[] arguments = ["--Mining:Redis:Backend=Auto", $"--Mining:Redis:Image={engine.RedisImage}", "--Mining:Throughput=true"];
        try
        {
            long coinsBefore;
            await using (var first = AppHostProcess.Start(engine, arguments))
            {
                using var webUi = await first.WebUiAsync(Startup);
                var json = await Eventually.ReturnsAsync(() => webUi.GetFromJsonAsync<WalletJson>("/json"), j => j!.Coins >= 3, Startup, "coins in the container wallet");
                coinsBefore = json!.Coins;

                // The wallet really is the container, not the embedded fallback.
                var running = await engine.DockerAsync("ps", "--filter", $"ancestor={engine.RedisImage}", "--format", "{{.Image}}");
                Assert.Contains(engine.RedisImage, running);
                Assert.DoesNotContain("embedded wallet", first.Output);
                await first.StopAsync();
            }

            await using var second = AppHostProcess.Start(engine, arguments);
            using var again = await second.WebUiAsync(Startup);
            var after = await Eventually.ReturnsAsync(() => again.GetFromJsonAsync<WalletJson>("/json"), j => j is not null, Startup, "/json after the restart");
            Assert.True(after!.Coins >= coinsBefore, $"{coinsBefore} coins before the restart, {after.Coins} after");
        }
        finally
        {
            // The volume Aspire made for this AppHost would carry coins into the next run.
            var volumes = await engine.DockerAsync("volume", "ls", "--quiet", "--filter", "name=redis-data");
            foreach (var volume in volumes.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await engine.RunAsync("docker", ["volume", "rm", "--force", volume.Trim()], TimeSpan.FromMinutes(1));
            }
        }
    }

    [Fact]
    public async Task Auto_falls_back_to_the_embedded_wallet_when_the_engine_cannot_supply_the_image()
    {
        Prerequisite.Require(engine.Missing);
        var dataPath = Directory.CreateTempSubdirectory("brkcoin-fallback-").FullName;
        try
        {
            var missingImage = $"{engine.RedisImage.Split('/')[0]}/brkcoin/no-such-redis:none";
            await using var apphost = AppHostProcess.Start(engine,
                "--Mining:Redis:Backend=Auto", $"--Mining:Redis:Image={missingImage}", $"--Mining:Redis:DataPath={dataPath}", "--Mining:Throughput=true");

            using var webUi = await apphost.WebUiAsync(Startup);
            await Eventually.ReturnsAsync(() => webUi.GetFromJsonAsync<WalletJson>("/json"), j => j!.Coins >= 1, Startup, "coins in the embedded wallet");

            var notice = apphost.Output.Split('\n').Where(line => line.Contains("using the embedded wallet instead", StringComparison.Ordinal)).ToList();
            Assert.Single(notice);
            Assert.Contains(missingImage, notice[0]);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
