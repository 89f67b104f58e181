namespace BrkCoin.AppHost.Deployment;

// What a resource says about itself for deployment, declared next to it in AppHost.cs and read
// by DeploymentPlanner. A writer never asks a resource's name: the next service that needs the
// same thing says so the same way.

/// <summary>The path a deployment target asks before sending the service traffic (default <c>/health</c>).</summary>
public sealed record ReadinessAnnotation(string Path) : IResourceAnnotation;

/// <summary>
/// Scaled by the cluster between the model's replicas and <see cref="MaxReplicas"/>, on the
/// per-replica <see cref="Metric"/> averaging <see cref="TargetAverageValue"/>; the metric is the
/// per-second rate of the Prometheus counter <see cref="RateOf"/> that the resource serves.
/// </summary>
public sealed record AutoscalerAnnotation(string Metric, string RateOf, string TargetAverageValue, int MaxReplicas) : IResourceAnnotation;

/// <summary>One replica on every node instead of a count (Swarm global mode, a DaemonSet).</summary>
public sealed record OnePerNodeAnnotation : IResourceAnnotation;

/// <summary>Its callers spread requests over its replicas themselves: its name must resolve to every replica.</summary>
public sealed record SpreadAcrossReplicasAnnotation : IResourceAnnotation;

/// <summary>Serves Prometheus metrics at <see cref="Path"/> once <see cref="EnableVariable"/> is "true".</summary>
public sealed record MetricsScrapeAnnotation(string Path, string EnableVariable) : IResourceAnnotation;

/// <summary>Runs only on nodes labelled <c>&lt;Label&gt;=true</c>, where its volume is.</summary>
public sealed record NodeLabelPlacementAnnotation(string Label) : IResourceAnnotation;

/// <summary>The numeric user (and group) a container image runs as.</summary>
public sealed record DeploymentUserAnnotation(long User) : IResourceAnnotation;

/// <summary>The variable of the resource's environment that carries its password.</summary>
public sealed record DeploymentPasswordAnnotation(string Variable) : IResourceAnnotation;

/// <summary>
/// The command run inside the container to check it is healthy, given the variable that holds
/// the password (null when the resource has none), so the command never carries the password itself.
/// </summary>
public sealed record DeploymentHealthCommandAnnotation(Func<string?, IReadOnlyList<string>> Command) : IResourceAnnotation;

/// <summary>
/// The variable through which the service learns the host name of the node it runs on (Swarm's
/// node, the Kubernetes node); targets with a single host and no way to say it leave it unset.
/// </summary>
public sealed record NodeNameAnnotation(string Variable) : IResourceAnnotation;

/// <summary>The container's memory limit, in MiB, where the resource declares its own (the wallet's size).</summary>
public sealed record DeploymentMemoryAnnotation(int MiB) : IResourceAnnotation;
