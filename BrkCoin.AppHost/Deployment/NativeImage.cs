namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// The service is published as a native binary (<c>PublishAot</c> in its project): the deploy
/// step builds its image on <c>Deploy:NativeBaseImage</c>, a base that may hold no shell.
/// </summary>
public sealed record NativeImageAnnotation : IResourceAnnotation;

public static class NativeImageExtensions
{
    // The argument the services' AliveProbe (BrkCoin.ServiceDefaults) answers.
    private const string AliveProbeArgument = "--probe-alive";

    // Where the SDK's container build puts the app (ContainerWorkingDirectory's default).
    private const string AppFolder = "/app";

    /// <summary>
    /// Declares that the project is published natively, and that its container's health check
    /// runs its own binary with <c>--probe-alive</c>, which asks the service's <c>/alive</c>: the
    /// native base has no bash for the JIT images' <c>/dev/tcp</c> check.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithNativeImage(this IResourceBuilder<ProjectResource> project)
    {
        var binary = Path.GetFileNameWithoutExtension(project.Resource.GetProjectMetadata().ProjectPath);
        return project
            .WithAnnotation(new NativeImageAnnotation(), ResourceAnnotationMutationBehavior.Replace)
            .WithDeploymentHealthCommand(_ => [$"{AppFolder}/{binary}", AliveProbeArgument]);
    }
}
