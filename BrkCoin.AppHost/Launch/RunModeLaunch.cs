namespace BrkCoin.AppHost.Launch;

public static class RunModeLaunch
{
    /// <summary>
    /// How run mode starts a BrkCoin service: from its build output, with the lean runtime at the
    /// classic pace, exporting metrics at the chosen interval. Publish mode is left as it was.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRunModeLaunch(
        this IResourceBuilder<ProjectResource> project, MiningSettings settings) =>
        project.LaunchFromBuildOutput(settings).WithLeanRuntime(settings).WithMetricsExportInterval(settings);
}
