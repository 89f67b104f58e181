using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>A setting out of range, given to the AppHost as a user gives it, stops it with one line and exit code 2.</summary>
public sealed class InvalidSettingsExitTests
{
    [Theory]
    [InlineData("--Mining:Workers=0", "Mining:Workers")]
    [InlineData("--Deploy:RngPerNode=true --Deploy:RngAutoscaler=true", "contradict each other")]
    public async Task A_bad_setting_is_said_in_one_line_with_exit_code_2(string settings, string said)
    {
        var folder = Directory.CreateTempSubdirectory("brkcoin-invalid-").FullName;
        try
        {
            var info = BuiltProgram.StartInfo("BrkCoin.AppHost",
                ["--operation", "publish", "--step", "publish", "--output-path", folder, .. settings.Split(' ')]);
            var (exitCode, output) = await BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(1));

            Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
            Assert.Contains(said, output);
            Assert.Contains("BrkCoin: ", output);
            Assert.DoesNotContain("Unhandled exception", output);
            Assert.DoesNotContain("   at ", output);
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
