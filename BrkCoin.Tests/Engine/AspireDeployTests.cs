using System.Globalization;
using System.Net.Http.Json;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The AppHost's deploy and destroy steps on the real engine, with README's own arguments (read
/// from README.md: <c>--operation publish --step deploy</c>, which is what <c>aspire deploy</c> runs): images built by the SDK on the offline base image, the files
/// written, the Compose project up and healthy, the page mining; again, in place, on the same
/// wallet; then down with the wallet's volume kept.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class AspireDeployTests(DockerEngineFixture engine, ITestOutputHelper output)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deploy_mines_deploy_again_keeps_the_wallet_and_destroy_keeps_only_its_volume()
    {
        Prerequisite.Require(engine.Missing);
        var project = $"brkcoindeploy{Environment.ProcessId}";
        var port = FreePort.OnLoopback();
        var folder = Directory.CreateTempSubdirectory("brkcoin-aspire-deploy-").FullName;
        using var page = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var first = await StepAsync("deploy", project, port, folder);
            Assert.True(first.ExitCode == 0, first.Output);
            Assert.Contains($"The page: http://127.0.0.1:{port}", first.Output, StringComparison.Ordinal);
            var mined = await Eventually.ReturnsAsync(() => JsonAsync(page), json => json.Coins > 0, TimeSpan.FromMinutes(2), "a coin at the page");
            output.WriteLine($"first deploy: {mined.Coins} coins, {mined.Hashes} hashes");

            // Redis's container goes, so the second deploy must make a new one: only its volume
            // can give it the wallet back.
            var before = await WalletAsync(project);
            Assert.NotEmpty(before);
            await engine.DockerAsync("rm", "--force", await RedisContainerAsync(project));

            var second = await StepAsync("deploy", project, port, folder);
            Assert.True(second.ExitCode == 0, second.Output);
            var after = await WalletAsync(project);
            Assert.All(before, coin => Assert.Equal(coin.Value, after.GetValueOrDefault(coin.Key)));
            var again = await Eventually.ReturnsAsync(() => JsonAsync(page), json => json.Coins > before.Count, TimeSpan.FromMinutes(2), "more coins after deploying again");
            Assert.True(again.Hashes > mined.Hashes, $"hashes went from {mined.Hashes} to {again.Hashes}");
            output.WriteLine($"second deploy, on a new Redis container: all {before.Count} coins of before still there; then {again.Coins} coins, {again.Hashes} hashes");

            var destroy = await StepAsync("destroy", project, port, folder);
            Assert.True(destroy.ExitCode == 0, destroy.Output);
            Assert.Contains("kept its volumes", destroy.Output, StringComparison.Ordinal);
            Assert.Empty(await ListAsync("ps", "-aq", "--filter", $"label=com.docker.compose.project={project}"));
            Assert.Empty(await ListAsync("network", "ls", "-q", "--filter", $"label=com.docker.compose.project={project}"));
            Assert.Equal([$"{project}_redis-data"], await ListAsync("volume", "ls", "-q", "--filter", $"label=com.docker.compose.project={project}"));
        }
        finally
        {
            await StepAsync("destroy", project, port, folder, "--Deploy:RemoveVolumes=true");
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_service_that_is_not_healthy_in_time_fails_the_step_naming_it_and_says_what_is_left()
    {
        Prerequisite.Require(engine.Missing);
        var project = $"brkcoinslow{Environment.ProcessId}";
        var port = FreePort.OnLoopback();
        var folder = Directory.CreateTempSubdirectory("brkcoin-aspire-slow-").FullName;
        try
        {
            // No service passes its first health check (10 s after it starts) within five seconds of `up`.
            var deploy = await StepAsync("deploy", project, port, folder, "--Deploy:HealthTimeout=00:00:05");

            Assert.NotEqual(0, deploy.ExitCode);
            Assert.Contains("Not every service healthy within 00:00:05", deploy.Output, StringComparison.Ordinal);
            Assert.Contains("left as it is", deploy.Output, StringComparison.Ordinal);
            // It names what is not healthy yet: a container of the project with its status.
            Assert.Matches($@"{project}_\w+_1: Up [^\n]*\(health: starting\)", deploy.Output);
        }
        finally
        {
            await StepAsync("destroy", project, port, folder, "--Deploy:RemoveVolumes=true");
            Directory.Delete(folder, recursive: true);
        }

        Assert.Empty(await ListAsync("ps", "-aq", "--filter", $"label=com.docker.compose.project={project}"));
    }

    private async Task<(int ExitCode, string Output)> StepAsync(string step, string project, int port, string folder, params string[] more)
    {
        var readme = step == "deploy" ? ReadmeCommands.Deploy : ReadmeCommands.Destroy;
        var info = BuiltProgram.StartInfo("BrkCoin.AppHost", readme.AppHostArgumentsWith(folder,
        [
            "--Deploy:Project", project,
            "--Deploy:BaseImage", engine.BaseImage,
            "--Deploy:NativeBaseImage", engine.NativeBaseImage,
            "--Deploy:RedisImage", engine.RedisImage,
            "--Deploy:WebUiAddress", "127.0.0.1",
            "--Deploy:WebUiPort", port.ToString(CultureInfo.InvariantCulture),
            .. more,
        ]),
        new Dictionary<string, string> { ["DOCKER_HOST"] = engine.DockerHost });
        var started = DateTimeOffset.UtcNow;
        var result = await BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(15));
        output.WriteLine($"{step} ({project}): exit {result.ExitCode} after {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s");
        return result;
    }

    private async Task<string> RedisContainerAsync(string project) =>
        Assert.Single(await ListAsync("ps", "-q", "--filter", $"label=com.docker.compose.project={project}", "--filter", "label=com.docker.compose.service=redis"));

    /// <summary>Every coin in the wallet, read inside the Redis container with the password from its environment.</summary>
    private async Task<Dictionary<string, byte[]>> WalletAsync(string project)
    {
        var (exitCode, text) = await engine.RunAsync("docker",
            ["exec", await RedisContainerAsync(project), "sh", "-c", "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --no-raw HGETALL wallet"],
            TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, text);
        return RedisCliReply.Pairs(text);
    }

    private async Task<List<string>> ListAsync(params string[] arguments) =>
        [.. (await engine.DockerAsync(arguments)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static async Task<WalletJson> JsonAsync(HttpClient page)
    {
        try
        {
            return (await page.GetFromJsonAsync<WalletJson>("/json", Cancel))!;
        }
        catch (HttpRequestException)
        {
            return new WalletJson(-1, -1, 0);
        }
    }
}
