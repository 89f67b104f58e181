namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// The path a deployment target asks before sending a service traffic. Without it, a service is
/// ready when its <c>/health</c> (dependencies included) says so.
/// </summary>
public sealed record ReadinessAnnotation(string Path) : IResourceAnnotation;

public static class ReadinessExtensions
{
    /// <summary>Declares where Kubernetes' readiness probe asks this service.</summary>
    public static IResourceBuilder<T> WithDeploymentReadiness<T>(this IResourceBuilder<T> resource, string path)
        where T : IResource =>
        resource.WithAnnotation(new ReadinessAnnotation(path), ResourceAnnotationMutationBehavior.Replace);
}
