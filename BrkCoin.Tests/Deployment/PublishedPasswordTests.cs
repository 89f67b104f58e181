using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>A password of the user's own reaches .env unchanged, or the publish step says why it cannot.</summary>
public sealed class PublishedPasswordTests
{
    [Theory]
    [InlineData("pa$word")]
    [InlineData("pass#word")]
    [InlineData("pass,word")]
    [InlineData("pass word")]
    [InlineData("pass\"word")]
    public async Task A_password_that_env_or_the_connection_string_would_change_is_refused_with_a_reason(string password)
    {
        var (exitCode, log, _) = await PublishAsync(password);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Parameters:redis-password holds a character", log);
    }

    [Fact]
    public async Task A_password_with_the_safe_punctuation_reaches_env_unchanged()
    {
        const string password = "Aa1-_.~+/@!%^*()[]{}:?";

        var (exitCode, log, output) = await PublishAsync(password);

        Assert.True(exitCode == 0, log);
        var compose = new ComposeFile(output);
        Assert.Equal(password, compose.Secrets["REDIS_PASSWORD"]);
        Directory.Delete(output, recursive: true);
    }

    private static async Task<(int ExitCode, string Log, string Output)> PublishAsync(string password)
    {
        var output = Directory.CreateTempSubdirectory("brkcoin-password-").FullName;
        var publish = BuiltProgram.StartInfo("BrkCoin.AppHost",
            ReadmeCommands.Publish.AppHostArgumentsWith(output, $"--Parameters:redis-password={password}"));
        var (exitCode, log) = await BuiltProgram.RunAsync(publish, TimeSpan.FromMinutes(3));
        return (exitCode, log, output);
    }
}
