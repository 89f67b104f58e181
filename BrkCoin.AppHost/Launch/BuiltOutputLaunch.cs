using System.Reflection;

namespace BrkCoin.AppHost.Launch;

/// <summary>
/// Starts a service from the executable its build produced (<c>bin/…/BrkCoin.Rng</c>, the SDK's
/// app host for <c>BrkCoin.Rng.dll</c>) instead of through <c>dotnet run --project … --no-build</c>.
/// </summary>
/// <remarks>
/// Aspire 13.6 launches every project resource in run mode as <c>dotnet run</c> (its
/// <c>ProjectExecutableLaunchRecipe</c>), and <c>dotnet run</c> stays resident as the parent of
/// the service for as long as it runs: about 130 MB and a second of MSBuild evaluation per
/// replica, 17 of them in the workshop's big shape. The same recipe honours an
/// <see cref="ExecutableAnnotation"/> on a project resource: its command replaces <c>dotnet</c>
/// and no <c>run</c> arguments are added (the app host needs none, where <c>dotnet app.dll</c>
/// would need the still-experimental <c>WithLaunchToolArgs</c>), while everything else (endpoints, the launch profile's
/// environment, replicas, the dashboard's project view) stays as it was. The AppHost's build
/// builds every referenced service first, and records where each one's assembly went
/// (<c>BrkCoin.ServiceOutput:*</c> metadata, see the AppHost's project file), so nothing is
/// rebuilt or guessed here. A service without its app host keeps Aspire's default launch.
/// </remarks>
public static class BuiltOutputLaunch
{
    private const string OutputMetadataPrefix = "BrkCoin.ServiceOutput:";

    public static IResourceBuilder<ProjectResource> LaunchFromBuildOutput(
        this IResourceBuilder<ProjectResource> project, MiningSettings settings)
    {
        if (!settings.DirectLaunch || !project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return project;
        }

        var projectPath = project.Resource.GetProjectMetadata().ProjectPath;
        var assembly = OutputOf(Path.GetFileNameWithoutExtension(projectPath));
        var appHost = assembly is null ? null : Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        if (appHost is null || !File.Exists(appHost))
        {
            return project;
        }

        // The working directory dotnet run gives it: the project folder, whose appsettings.json
        // is the content root's.
        return project.WithAnnotation(
            new ExecutableAnnotation { Command = appHost, WorkingDirectory = Path.GetDirectoryName(projectPath)! },
            ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>The assembly the AppHost's build recorded for <paramref name="projectName"/>, or null.</summary>
    public static string? OutputOf(string projectName) =>
        typeof(BuiltOutputLaunch).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key == OutputMetadataPrefix + projectName)
            .Select(a => a.Value)
            .FirstOrDefault();
}
