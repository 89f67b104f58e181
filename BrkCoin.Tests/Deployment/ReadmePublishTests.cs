using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// README's publish commands, read from README.md and typed literally at the repository root, as a newcomer does: the
/// files land where README's next step looks for them, the secrets are the owner's alone, and
/// git sees nothing new.
/// </summary>
[Collection(ReadmeCommandsCollection.Name)]
public sealed class ReadmePublishTests
{
    private static readonly string[] Outputs = ["deploy", "manifest"];

    [Fact]
    public async Task Readme_publish_commands_write_under_the_current_folder_with_private_secrets_and_a_clean_git_status()
    {
        // Never overwrite a developer's own deployment files (they hold their live password): skip
        // on a developer's machine; in CI, whose checkout is fresh, a leftover is a failure.
        Prerequisite.Require(Outputs.Any(folder => Directory.Exists(Path.Combine(RepositoryRoot.Path, folder)))
            ? "deploy/ or manifest/ already exists at the repository root."
            : null);

        try
        {
            await RunReadmeCommandAsync(ReadmeCommands.Publish);
            await RunReadmeCommandAsync(ReadmeCommands.Manifest);

            var deploy = Path.Combine(RepositoryRoot.Path, "deploy");
            Assert.True(File.Exists(Path.Combine(deploy, "docker-compose.yaml")));
            Assert.True(File.Exists(Path.Combine(deploy, "kubernetes", "kustomization.yaml")));
            Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, "manifest", "aspire-manifest.json")));
            Assert.False(Directory.Exists(Path.Combine(RepositoryRoot.Path, "BrkCoin.AppHost", "deploy")));

            foreach (var secret in OperatingSystem.IsWindows() ? [] : new[] { Path.Combine(deploy, ".env"), Path.Combine(deploy, "kubernetes", "secrets.env") })
            {
#pragma warning disable CA1416 // the list is empty on Windows
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
#pragma warning restore CA1416
            }

            var status = await GitStatusAsync();
            Assert.True(status.Length == 0, $"publishing left files for git to see:\n{status}");
        }
        finally
        {
            foreach (var folder in Outputs)
            {
                var path = Path.Combine(RepositoryRoot.Path, folder);
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
            }
        }
    }

    private static async Task RunReadmeCommandAsync(ReadmeCommand command)
    {
        var info = new ProcessStartInfo("dotnet", command.DotnetArguments)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var (exitCode, output) = await BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(4));
        Assert.True(exitCode == 0, $"{command.Text} exited {exitCode}:\n{output}");
    }

    private static async Task<string> GitStatusAsync()
    {
        Prerequisite.Require(!Directory.Exists(Path.Combine(RepositoryRoot.Path, ".git")) && !File.Exists(Path.Combine(RepositoryRoot.Path, ".git"))
            ? "Not a git checkout: git status cannot be checked."
            : null);

        var info = new ProcessStartInfo("git", ["status", "--porcelain", "--untracked-files=all", "--", .. Outputs, "BrkCoin.AppHost"])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var (exitCode, output) = await BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(1));
        Assert.Equal(0, exitCode);
        // Untracked files only: a developer's edits to tracked files are not the publish step's doing.
        return string.Join('\n', output.Split('\n').Where(line => line.StartsWith("??", StringComparison.Ordinal)));
    }
}
