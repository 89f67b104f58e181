using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// What a user of the Aspire CLI sees of BrkCoin's deploy: <c>aspire deploy --list-steps</c> lists
/// our steps in their order. The CLI is installed here from NuGet, as a user would
/// (<c>dotnet tool install Aspire.Cli</c>); README's own commands never need it.
/// </summary>
public sealed class DeployStepsListTests
{
    [Fact]
    public async Task Aspire_deploy_list_steps_shows_the_images_the_files_and_the_deploy()
    {
        var tools = Directory.CreateTempSubdirectory("brkcoin-aspire-cli-").FullName;
        try
        {
            var install = new ProcessStartInfo("dotnet", ["tool", "install", "Aspire.Cli", "--version", "13.6.5", "--tool-path", tools])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var (installed, installLog) = await BuiltProgram.RunAsync(install, TimeSpan.FromMinutes(5));
            Assert.True(installed == 0, installLog);

            // Run from its own folder: the CLI leaves an aspire.config.json where it runs.
            var list = new ProcessStartInfo(Path.Combine(tools, "aspire"),
                ["deploy", "--apphost", Path.Combine(RepositoryRoot.Path, "BrkCoin.AppHost", "BrkCoin.AppHost.csproj"),
                 "--list-steps", "--non-interactive", "--nologo", "--no-build"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = tools,
            };
            var (exitCode, output) = await BuiltProgram.RunAsync(list, TimeSpan.FromMinutes(3));

            Assert.True(exitCode == 0, output);
            output = System.Text.RegularExpressions.Regex.Replace(output, @"\x1b\[[0-9;]*m", string.Empty);
            // Whole step names, in the order they run: the deploy step after both it depends on.
            var listed = System.Text.RegularExpressions.Regex.Matches(output, @"(?m)^\s*\d+\.\s+(?<step>[a-z][a-z-]*[a-z])\s*$")
                .Select(m => m.Groups["step"].Value)
                .ToList();
            Assert.Contains("brkcoin-images", listed);
            Assert.Contains("brkcoin-deployment-files", listed);
            Assert.True(listed.IndexOf("brkcoin-deploy") > listed.IndexOf("brkcoin-images"), string.Join(", ", listed));
            Assert.True(listed.IndexOf("brkcoin-deploy") > listed.IndexOf("brkcoin-deployment-files"), string.Join(", ", listed));
            Assert.True(listed.IndexOf("deploy") > listed.IndexOf("brkcoin-deploy"), string.Join(", ", listed));
            Assert.Matches(@"brkcoin-deploy\s+└─ Depends on: brkcoin-images, brkcoin-deployment-files", output);
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
        }
    }
}
