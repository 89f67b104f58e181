namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// Every decision a deployment needs, taken once from the application model: the services and
/// how each runs, the networks that isolate them, the secrets. Compose, the Swarm stack and
/// Kubernetes are each written from it and decide nothing of their own.
/// </summary>
public sealed record DeploymentPlan(
    IReadOnlyList<DeployedService> Services,
    IReadOnlyList<DeployedNetwork> Networks,
    IReadOnlyDictionary<string, string> Secrets)
{
    /// <summary>
    /// The Aspire dashboard's limits, where a target deploys it beside the services (Compose's
    /// <c>Deploy:Dashboard</c>). It reads every service's telemetry, which it keeps in memory:
    /// more room than a service gets.
    /// </summary>
    public DeployedLimits DashboardLimits { get; init; } = new(Cpu: "500m", Memory: "512Mi");
}

/// <summary>
/// A network of the deployment: one per called service (its callers join it), and the front one
/// for what publishes a port. Only the front one has a way out.
/// </summary>
public sealed record DeployedNetwork(string Name, bool IsInternal);

/// <summary>One resource of the model as it is deployed.</summary>
public sealed record DeployedService
{
    /// <summary>Resource name, also the host name the others use.</summary>
    public required string Name { get; init; }

    public required string Image { get; init; }

    /// <summary>Port it listens on inside its container.</summary>
    public required int Port { get; init; }

    /// <summary>"http" where the service speaks HTTP (its probes ask it), else "tcp".</summary>
    public required string PortName { get; init; }

    /// <summary>Reachable from outside (the web UI): published by Compose, any source admitted by Kubernetes.</summary>
    public bool IsExternal { get; init; }

    /// <summary>Variables exactly as the service reads them.</summary>
    public IReadOnlyList<EnvironmentVariable> Environment { get; init; } = [];

    /// <summary>Services it calls.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Services that call it: its network admits them.</summary>
    public IReadOnlyList<string> Callers { get; init; } = [];

    /// <summary>Networks it joins (its own when called, those of what it calls, the front one when external).</summary>
    public IReadOnlyList<string> Networks { get; init; } = [];

    /// <summary>Container entrypoint, when the model sets one.</summary>
    public string? Entrypoint { get; init; }

    /// <summary>Container arguments from the model.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Folder kept on a named volume, when the resource has data.</summary>
    public string? DataPath { get; init; }

    public required DeployedScaling Scaling { get; init; }

    public required DeployedProbes Probes { get; init; }

    public required DeployedHardening Hardening { get; init; }

    /// <summary>Sends OpenTelemetry (to the dashboard, when one is deployed).</summary>
    public bool ExportsTelemetry { get; init; }

    /// <summary>How long a stop may take before the process is killed; null for the target's default.</summary>
    public TimeSpan? StopGracePeriod { get; init; }

    /// <summary>Metrics a Prometheus scrapes, when the resource declares them.</summary>
    public DeployedMetrics? Metrics { get; init; }

    /// <summary>
    /// Its callers spread their requests over its replicas themselves, so its name resolves to
    /// every replica rather than to one balanced address.
    /// </summary>
    public bool SpreadAcrossReplicas { get; init; }

    /// <summary>
    /// Runs only on nodes that carry this label (<c>node.labels.&lt;label&gt; == true</c>): a
    /// stateful service stays with the volume that holds its data.
    /// </summary>
    public string? NodeLabel { get; init; }

    /// <summary>
    /// The variable that carries the host name of the node it runs on, set by the target where it
    /// can say (a Swarm template, the Kubernetes downward API); null when the service does not ask.
    /// </summary>
    public string? NodeNameVariable { get; init; }

    /// <summary>Secrets any of its variables carry.</summary>
    public IEnumerable<string> SecretsUsed => Environment.SelectMany(v => v.SecretsUsed).Distinct(StringComparer.Ordinal);
}

/// <summary>How many run: a fixed count, one per node, or an autoscaler's choice.</summary>
/// <param name="Replicas">Replica count from the model.</param>
/// <param name="OnePerNode">One on every node (Swarm global mode, a DaemonSet), instead of a count.</param>
/// <param name="Autoscaler">Scaled by the cluster on a metric, where the target has an autoscaler.</param>
public sealed record DeployedScaling(int Replicas, bool OnePerNode = false, DeployedAutoscaler? Autoscaler = null);

/// <summary>
/// A horizontal autoscaler on a per-replica <paramref name="Metric"/>, which prometheus-adapter
/// serves as the per-second rate of the counter <paramref name="RateOf"/>.
/// </summary>
public sealed record DeployedAutoscaler(int MinReplicas, int MaxReplicas, string Metric, string RateOf, string TargetAverageValue);

/// <summary>What the service is asked to prove it is alive and ready.</summary>
/// <param name="HealthCommand">Run inside the container (Compose and Swarm health checks, and Kubernetes where no path is given).</param>
/// <param name="LivenessPath">HTTP path that says the process works; null to run the command.</param>
/// <param name="ReadinessPath">HTTP path that says it may take traffic; null to run the command.</param>
public sealed record DeployedProbes(IReadOnlyList<string> HealthCommand, string? LivenessPath, string? ReadinessPath)
{
    public DeployedProbeTiming Timing { get; init; } = DeployedProbeTiming.Standard;
}

/// <summary>How often a probe asks, how long it waits, and how many failures mark the service unhealthy.</summary>
/// <param name="Interval">Between two checks.</param>
/// <param name="AnswerTimeout">How long a probe waits for the answer (Kubernetes' kubelet), as our checks themselves wait 3 s.</param>
/// <param name="CommandTimeout">
/// How long the engine lets the whole check command run (Compose and Swarm): its process starts
/// first, so it gets more than the check's own 3 s wait, and a slow answer is reported by the check.
/// </param>
/// <param name="Retries">Failures in a row before the service counts as unhealthy.</param>
/// <param name="StartPeriod">After a start, failures that do not count yet (where the target has such a grace).</param>
public sealed record DeployedProbeTiming(TimeSpan Interval, TimeSpan AnswerTimeout, TimeSpan CommandTimeout, int Retries, TimeSpan StartPeriod)
{
    /// <summary>
    /// Every service's: a check every 10 s, three failures in a row. Swarm's health-check lesson
    /// rolls an update back on these (15 s start period, then three failures 10 s apart).
    /// </summary>
    public static DeployedProbeTiming Standard { get; } = new(
        Interval: TimeSpan.FromSeconds(10),
        AnswerTimeout: TimeSpan.FromSeconds(3),
        CommandTimeout: TimeSpan.FromSeconds(5),
        Retries: 3,
        StartPeriod: TimeSpan.FromSeconds(15));
}

/// <summary>What the container may do and use.</summary>
/// <param name="RunAsUser">Numeric user (and group) it runs as; null for the image's own.</param>
/// <param name="ReadOnlyRootFilesystem">Writes only to <paramref name="TmpPath"/> and its data volume.</param>
/// <param name="TmpPath">The scratch folder, in memory.</param>
/// <param name="Resources">Requests and limits.</param>
/// <param name="DropAllCapabilities">No Linux capability at all.</param>
/// <param name="NoNewPrivileges">No gaining privileges through setuid binaries.</param>
public sealed record DeployedHardening(
    long? RunAsUser, bool ReadOnlyRootFilesystem, string TmpPath, DeployedResources Resources,
    bool DropAllCapabilities = true, bool NoNewPrivileges = true);

/// <summary>CPU in Kubernetes quantities ("50m"), memory likewise ("96Mi").</summary>
public sealed record DeployedResources(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit);

/// <summary>Limits alone, for what a target runs with no scheduler to make requests to: CPU and memory as in <see cref="DeployedResources"/>.</summary>
public sealed record DeployedLimits(string Cpu, string Memory);

/// <summary>Where the metrics are served and the variable that turns the exporter on.</summary>
public sealed record DeployedMetrics(string Path, EnvironmentVariable Enable);

/// <summary>An environment variable whose value may embed secrets.</summary>
public sealed record EnvironmentVariable(string Name, IReadOnlyList<ValuePart> Parts)
{
    public IEnumerable<string> SecretsUsed => Parts.OfType<SecretPart>().Select(p => p.SecretName);

    /// <summary>The value with each secret written by <paramref name="secret"/>.</summary>
    public string Render(Func<string, string> secret) =>
        string.Concat(Parts.Select(part => part switch
        {
            TextPart text => text.Text,
            SecretPart s => secret(s.SecretName),
            _ => throw new InvalidOperationException($"Unknown value part {part}"),
        }));
}

public abstract record ValuePart;

public sealed record TextPart(string Text) : ValuePart;

/// <summary>A secret, named as the environment variable that carries it (e.g. REDIS_PASSWORD).</summary>
public sealed record SecretPart(string SecretName) : ValuePart;
