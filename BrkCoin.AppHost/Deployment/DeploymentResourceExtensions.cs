namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// The fluent words AppHost.cs uses to declare a resource's deployment facts; each adds one
/// annotation from <c>DeploymentAnnotations.cs</c>.
/// </summary>
public static class DeploymentResourceExtensions
{
    /// <summary>Declares where a target's readiness probe asks this service.</summary>
    public static IResourceBuilder<T> WithDeploymentReadiness<T>(this IResourceBuilder<T> resource, string path)
        where T : IResource =>
        resource.WithAnnotation(new ReadinessAnnotation(path), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>
    /// When <paramref name="enabled"/>, lets the cluster scale the service on <paramref name="metric"/>,
    /// the per-second rate of the counter <paramref name="rateOf"/> (a Kubernetes HorizontalPodAutoscaler
    /// and the prometheus-adapter rule that serves the metric). The metric comes from Prometheus, so
    /// the service is scraped too (<see cref="WithMetricsScrape{T}"/>, unless it says otherwise).
    /// </summary>
    public static IResourceBuilder<T> WithAutoscaler<T>(
        this IResourceBuilder<T> resource, string metric, string rateOf, string targetAverageValue, int maxReplicas, bool enabled = true)
        where T : IResource
    {
        if (!enabled)
        {
            return resource;
        }

        resource.WithAnnotation(new AutoscalerAnnotation(metric, rateOf, targetAverageValue, maxReplicas), ResourceAnnotationMutationBehavior.Replace);
        return resource.Resource.Annotations.OfType<MetricsScrapeAnnotation>().Any() ? resource : resource.WithMetricsScrape();
    }

    /// <summary>Runs one replica on every node when <paramref name="enabled"/>; the autoscaler then stands aside.</summary>
    public static IResourceBuilder<T> WithOnePerNode<T>(this IResourceBuilder<T> resource, bool enabled = true)
        where T : IResource =>
        enabled ? resource.WithAnnotation(new OnePerNodeAnnotation(), ResourceAnnotationMutationBehavior.Replace) : resource;

    /// <summary>Its name resolves to every replica (a headless Kubernetes Service): callers spread requests themselves.</summary>
    public static IResourceBuilder<T> WithSpreadAcrossReplicas<T>(this IResourceBuilder<T> resource)
        where T : IResource =>
        resource.WithAnnotation(new SpreadAcrossReplicasAnnotation(), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>Lets Prometheus scrape the service's metrics where the target has one (Kubernetes).</summary>
    public static IResourceBuilder<T> WithMetricsScrape<T>(
        this IResourceBuilder<T> resource, string path = "/metrics", string enableVariable = "Metrics__Prometheus")
        where T : IResource =>
        resource.WithAnnotation(new MetricsScrapeAnnotation(path, enableVariable), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>
    /// Keeps the resource on the nodes labelled <paramref name="label"/>=true (Swarm placement):
    /// a named volume is local to one node, and a stateful service moved elsewhere would start empty.
    /// </summary>
    public static IResourceBuilder<T> WithNodeLabelPlacement<T>(this IResourceBuilder<T> resource, string label)
        where T : IResource =>
        resource.WithAnnotation(new NodeLabelPlacementAnnotation(label), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>The numeric user the container image runs as.</summary>
    public static IResourceBuilder<T> WithDeploymentUser<T>(this IResourceBuilder<T> resource, long user)
        where T : IResource =>
        resource.WithAnnotation(new DeploymentUserAnnotation(user), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>Names the variable that carries the resource's password (its health check reads it from there).</summary>
    public static IResourceBuilder<T> WithDeploymentPassword<T>(this IResourceBuilder<T> resource, string variable)
        where T : IResource =>
        resource.WithAnnotation(new DeploymentPasswordAnnotation(variable), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>
    /// Tells the service, in <paramref name="variable"/>, the host name of the node it runs on: in a
    /// cluster the node (its container's own host name names only the container), in run mode
    /// this machine.
    /// </summary>
    public static IResourceBuilder<T> WithNodeName<T>(this IResourceBuilder<T> resource, string variable)
        where T : IResourceWithEnvironment
    {
        resource.WithAnnotation(new NodeNameAnnotation(variable), ResourceAnnotationMutationBehavior.Replace);
        return resource.ApplicationBuilder.ExecutionContext.IsRunMode
            ? resource.WithEnvironment(variable, Environment.MachineName)
            : resource;
    }

    /// <summary>
    /// Run mode only: tells the service, in <paramref name="variable"/>, that the wallet runs on
    /// this machine, when <paramref name="runsHere"/> (not the user's own server named by a
    /// connection string). A deployment places the wallet by a node label, whose node it cannot name here.
    /// </summary>
    public static IResourceBuilder<T> WithRunModeWalletNode<T>(this IResourceBuilder<T> resource, string variable, bool runsHere)
        where T : IResourceWithEnvironment =>
        resource.ApplicationBuilder.ExecutionContext.IsRunMode && runsHere
            ? resource.WithEnvironment(variable, Environment.MachineName)
            : resource;

    /// <summary>The command run inside the container to check it is healthy.</summary>
    public static IResourceBuilder<T> WithDeploymentHealthCommand<T>(this IResourceBuilder<T> resource, Func<string?, IReadOnlyList<string>> command)
        where T : IResource =>
        resource.WithAnnotation(new DeploymentHealthCommandAnnotation(command), ResourceAnnotationMutationBehavior.Replace);
}
