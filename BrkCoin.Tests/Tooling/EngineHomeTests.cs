using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Tooling;

/// <summary>
/// eng/engine.sh keeps root's engine state in a fixed folder under world-writable /var/tmp: it
/// must refuse a folder someone else could have planted there. Checked with `status`, which
/// starts nothing, on folders of the test's own (BRKCOIN_ENGINE_HOME); no dockerd runs.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EngineHomeTests : IDisposable
{
    private const string Refusal = "refusing to use";
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("brkcoin-engine-home-");

    [Fact]
    public async Task A_folder_owned_by_another_user_is_refused()
    {
        Prerequisite.Require(Environment.UserName == "root" ? null : "only root can give a folder to another user.");
        var home = PrivateFolder("planted");
        await RunAsync("chown", "65534:65534", home);

        await AssertRefusedAsync(home, because: "uid 65534");
    }

    [Fact]
    public async Task A_folder_others_may_write_to_is_refused()
    {
        var home = PrivateFolder("open");
        File.SetUnixFileMode(home, (UnixFileMode)Convert.ToInt32("777", 8));

        await AssertRefusedAsync(home, because: "mode 777");
    }

    [Fact]
    public async Task A_symbolic_link_is_refused_even_to_a_good_folder()
    {
        var target = PrivateFolder("target");
        var home = Path.Combine(_scratch.FullName, "link");
        File.CreateSymbolicLink(home, target);

        await AssertRefusedAsync(home, because: "symbolic link");
    }

    [Fact]
    public async Task A_missing_folder_is_made_private_and_then_used()
    {
        var home = Path.Combine(_scratch.FullName, "new");

        var (_, output) = await StatusAsync(home);

        Assert.DoesNotContain(Refusal, output);
        Assert.True(Directory.Exists(home));
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(home));
        // Used as it is, a second time too: the checks refuse only what is wrong.
        Assert.DoesNotContain(Refusal, (await StatusAsync(home)).Output);
    }

    public void Dispose() => _scratch.Delete(recursive: true);

    private string PrivateFolder(string name)
    {
        var path = Path.Combine(_scratch.FullName, name);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        return path;
    }

    private static async Task AssertRefusedAsync(string home, string because)
    {
        var (exitCode, output) = await StatusAsync(home);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(Refusal, output);
        Assert.Contains(because, output);
    }

    // `status` only reads PID files: nothing is started, so the answer is the check's alone.
    private static Task<(int ExitCode, string Output)> StatusAsync(string home)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot.Path, "eng", "engine.sh"), "status"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["BRKCOIN_ENGINE_HOME"] = home;
        return BuiltProgram.RunAsync(info, TimeSpan.FromSeconds(30));
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var (exitCode, output) = await BuiltProgram.RunAsync(
            new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true }, TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"{program} failed: {output}");
    }
}
