using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>Deploy and destroy where no engine answers: one clear line and a failing exit code, before any build.</summary>
public sealed class DeployWithoutEngineTests
{
    [Theory]
    [InlineData("deploy")]
    [InlineData("destroy")]
    public async Task Without_an_engine_the_step_stops_at_once_and_says_where_it_looked(string step)
    {
        var folder = Directory.CreateTempSubdirectory("brkcoin-no-engine-").FullName;
        var socket = Path.Combine(folder, "no-engine.sock");
        try
        {
            var info = BuiltProgram.StartInfo("BrkCoin.AppHost",
                (step == "deploy" ? ReadmeCommands.Deploy : ReadmeCommands.Destroy).AppHostArgumentsWith(folder),
                new Dictionary<string, string> { ["DOCKER_HOST"] = $"unix://{socket}" });
            var (exitCode, output) = await BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(3));

            Assert.NotEqual(0, exitCode);
            Assert.Contains($"No Docker engine answers at DOCKER_HOST=unix://{socket}", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Building brkcoin-", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
