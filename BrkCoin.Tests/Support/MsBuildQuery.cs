using System.Diagnostics;

namespace BrkCoin.Tests.Support;

/// <summary>
/// Asks MSBuild what it would build for one of the solution's projects (<c>-getProperty</c>,
/// <c>-getItem</c>), without building: the tests that check the build's own settings read them
/// this way rather than parsing the project files, which Directory.Build.* files change.
/// </summary>
public static class MsBuildQuery
{
    /// <summary>Runs <c>dotnet msbuild</c> on <paramref name="project"/>'s project file; returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string project, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("msbuild");
        info.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, project, $"{project}.csproj"));
        info.ArgumentList.Add("-nologo");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(2));
    }
}
