using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// Walks the AppHost's model in publish mode — the same resources, references, endpoints,
/// replicas and environment callbacks the manifest publisher reads — and resolves every value
/// for a target where each resource is reached by its name on the network.
/// </summary>
/// <param name="keptSecrets">
/// Secrets of an earlier publish to the same folder: kept unless configured, so publishing or
/// deploying again does not change the wallet's password and recreate every container for it.
/// </param>
public sealed class DeploymentPlanner(
    DistributedApplicationExecutionContext executionContext,
    DeploymentSettings settings,
    IConfiguration configuration,
    IReadOnlyDictionary<string, string>? keptSecrets = null)
{
    private readonly SortedDictionary<string, string> _secrets = new(StringComparer.Ordinal);

    public async Task<DeploymentPlan> PlanAsync(DistributedApplicationModel model, CancellationToken cancellationToken)
    {
        var deployable = model.Resources
            .Where(r => r is ProjectResource || r.Annotations.OfType<ContainerImageAnnotation>().Any())
            .ToList();
        var names = deployable.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);

        var services = new List<DeployedService>();
        foreach (var resource in deployable)
        {
            services.Add(await PlanServiceAsync(resource, names, cancellationToken));
        }

        var (connected, networks) = Connect(services, withFront: settings.Dashboard);
        return new DeploymentPlan(connected, networks, new SortedDictionary<string, string>(_secrets, StringComparer.Ordinal));
    }

    /// <summary>
    /// Who calls whom, once: a called service gets its own network, which its callers join
    /// (worker joins rng, hasher and redis; webui only redis), and admits only them. The front
    /// network is there for what is external, or when <paramref name="withFront"/> asks for it.
    /// </summary>
    public static (List<DeployedService> Services, List<DeployedNetwork> Networks) Connect(IReadOnlyList<DeployedService> services, bool withFront)
    {
        var called = services.SelectMany(s => s.References).ToHashSet(StringComparer.Ordinal);
        var networks = called.Order(StringComparer.Ordinal).Select(name => new DeployedNetwork(name, IsInternal: true)).ToList();
        if (withFront || services.Any(s => s.IsExternal))
        {
            networks.Add(new DeployedNetwork(FrontNetwork, IsInternal: false));
        }

        var connected = services.Select(service => service with
        {
            Callers = [.. services.Where(s => s.References.Contains(service.Name)).Select(s => s.Name)],
            Networks = [.. service.References
                .Concat(called.Contains(service.Name) ? [service.Name] : [])
                .Concat(service.IsExternal ? [FrontNetwork] : [])
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)],
        }).ToList();
        return (connected, networks);
    }

    /// <summary>
    /// The one network with a way out, for what publishes a port (the web UI, the dashboard).
    /// Every network behind it is internal: rng, hasher and Redis cannot reach the internet.
    /// </summary>
    public const string FrontNetwork = "front";

    private async Task<DeployedService> PlanServiceAsync(IResource resource, HashSet<string> deployed, CancellationToken cancellationToken)
    {
        var isProject = resource is ProjectResource;
        var environment = new List<EnvironmentVariable>();
        foreach (var (name, value) in await EnvironmentOfAsync(resource, cancellationToken))
        {
            // A value the target cannot have (an https endpoint: we serve plain http inside the
            // network) drops its variable, as the service then falls back to the http one.
            if (await ResolveAsync(value, cancellationToken) is { } parts)
            {
                environment.Add(new EnvironmentVariable(name, parts));
            }
        }

        if (isProject)
        {
            // Names the service in telemetry the way the dashboard names it in run mode.
            environment.Add(new EnvironmentVariable("OTEL_SERVICE_NAME", [new TextPart(resource.Name)]));
        }

        var arguments = new List<string>();
        foreach (var argument in await ArgumentsOfAsync(resource, cancellationToken))
        {
            var parts = await ResolveAsync(argument, cancellationToken)
                ?? throw new InvalidOperationException($"Argument '{argument}' of {resource.Name} cannot be deployed.");
            arguments.Add(new EnvironmentVariable("arg", parts).Render(secret => $"${secret}"));
        }

        // A resource with shell execution (Redis: entrypoint /bin/sh) takes its arguments as one
        // command line after -c, as the manifest publisher writes them.
#pragma warning disable ASPIRECONTAINERSHELLEXECUTION001 // experimental, but it is how the model says "run under a shell"
        if (resource is ContainerResource { ShellExecution: true } && arguments.Count > 0)
#pragma warning restore ASPIRECONTAINERSHELLEXECUTION001
        {
            arguments = ["-c", string.Join(' ', arguments)];
        }

        var references = resource.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Where(r => r.Type == "Reference" && deployed.Contains(r.Resource.Name))
            .Select(r => r.Resource.Name)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        var replicas = resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;
        var metrics = Declared<MetricsScrapeAnnotation>(resource);
        return new DeployedService
        {
            Name = resource.Name,
            Image = isProject ? settings.ImageFor(resource.Name) : ContainerImage(resource),
            Port = PortOf(resource),
            // Our services speak HTTP, so their probes ask it; a container's port is only known to be TCP.
            PortName = isProject ? "http" : "tcp",
            IsExternal = resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal),
            Environment = environment,
            References = references,
            Entrypoint = (resource as ContainerResource)?.Entrypoint,
            Arguments = arguments,
            DataPath = resource.Annotations.OfType<ContainerMountAnnotation>().FirstOrDefault(m => m.Type == ContainerMountType.Volume)?.Target,
            Scaling = ScalingOf(resource, replicas),
            Probes = ProbesOf(resource, environment),
            Hardening = new DeployedHardening(
                isProject ? DotNetImageUser : Declared<DeploymentUserAnnotation>(resource)?.User,
                // The root filesystem is read-only; .NET and Redis write only to /tmp and the data volume.
                ReadOnlyRootFilesystem: true,
                TmpPath: "/tmp",
                Resources: ResourcesOf(resource)),
            ExportsTelemetry = isProject,
            // Docker waits 10 s before SIGKILL; a .NET host takes up to 30 s to stop, which the
            // worker needs to store a coin it found and flush its count (Worker:ShutdownGrace, twice).
            StopGracePeriod = isProject ? TimeSpan.FromSeconds(30) : null,
            Metrics = metrics is null ? null : new DeployedMetrics(metrics.Path, new EnvironmentVariable(metrics.EnableVariable, [new TextPart("true")])),
            SpreadAcrossReplicas = Declared<SpreadAcrossReplicasAnnotation>(resource) is not null,
            NodeLabel = Declared<NodeLabelPlacementAnnotation>(resource)?.Label,
            NodeNameVariable = Declared<NodeNameAnnotation>(resource)?.Variable,
        };
    }

    /// <summary>
    /// Every service's share of a laptop, unless the resource declares its own memory (the wallet,
    /// sized by <c>Deploy:WalletMemory</c>); a request never above the limit, which Kubernetes refuses.
    /// </summary>
    private static DeployedResources ResourcesOf(IResource resource)
    {
        var limit = Declared<DeploymentMemoryAnnotation>(resource)?.MiB ?? 384;
        return new DeployedResources(
            CpuRequest: "50m",
            MemoryRequest: string.Create(CultureInfo.InvariantCulture, $"{Math.Min(96, limit)}Mi"),
            CpuLimit: "500m",
            MemoryLimit: string.Create(CultureInfo.InvariantCulture, $"{limit}Mi"));
    }

    private static T? Declared<T>(IResource resource) where T : IResourceAnnotation =>
        resource.Annotations.OfType<T>().LastOrDefault();

    /// <summary>
    /// One per node overrides both the count and the autoscaler: the cluster's size sets the count.
    /// An autoscaler never goes below what the model asks for, nor its maximum below that.
    /// </summary>
    private static DeployedScaling ScalingOf(IResource resource, int replicas)
    {
        if (Declared<OnePerNodeAnnotation>(resource) is not null)
        {
            return new DeployedScaling(replicas, OnePerNode: true);
        }

        return Declared<AutoscalerAnnotation>(resource) is { } autoscaler
            ? new DeployedScaling(replicas, Autoscaler: new DeployedAutoscaler(
                MinReplicas: replicas,
                MaxReplicas: Math.Max(replicas, autoscaler.MaxReplicas),
                autoscaler.Metric,
                autoscaler.RateOf,
                autoscaler.TargetAverageValue))
            : new DeployedScaling(replicas);
    }

    // HTTP_PORTS (first of a list) is the service's port, 8080 as in the .NET images by default;
    // the status line must say 200. Builtins only: no process besides bash itself.
    private const string AliveProbe =
        "port=${HTTP_PORTS:-8080}; exec 3<>/dev/tcp/127.0.0.1/${port%%[,;]*} && " +
        "printf 'GET /alive HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && " +
        "read -r -t 3 status <&3 && [[ $status == *' 200 '* ]]";

    // The non-root user of the .NET images (APP_UID), which our images are built on.
    private const long DotNetImageUser = 1654;

    /// <summary>
    /// Our images hold no curl or wget, so a service's check asks its /alive through bash's
    /// /dev/tcp: bash is in Microsoft's Debian-based images, and eng/engine.sh's web UI base carries it.
    /// A natively compiled service, whose base holds no shell, declares its own command instead
    /// (its binary with <c>--probe-alive</c>, <see cref="NativeImageExtensions.WithNativeImage"/>).
    /// One such check costs under 5 ms of CPU and 3 MB; starting the service's own .NET binary to
    /// ask (as BrkCoin did before) cost ~70 ms of CPU and 44 MB, every 10 s in every container.
    /// /alive, not /health: Swarm replaces a task whose check fails, and /health includes Redis; a
    /// Redis outage must not get healthy workers and web UIs killed. A container declares its own
    /// command; without one it has none, and is checked only by running.
    /// </summary>
    private static DeployedProbes ProbesOf(IResource resource, List<EnvironmentVariable> environment)
    {
        if (resource is ProjectResource)
        {
            var own = Declared<DeploymentHealthCommandAnnotation>(resource)?.Command(null);
            return new DeployedProbes(own is null ? ["bash", "-c", AliveProbe] : [.. own], LivenessPath: "/alive",
                ReadinessPath: Declared<ReadinessAnnotation>(resource)?.Path ?? "/health");
        }

        // The password's variable is named to the command only when it really carries a secret.
        var password = Declared<DeploymentPasswordAnnotation>(resource) is { } declared
            && environment.FirstOrDefault(v => v.Name == declared.Variable) is { } variable
            && variable.SecretsUsed.Any()
                ? declared.Variable
                : null;
        var command = Declared<DeploymentHealthCommandAnnotation>(resource)?.Command(password) ?? [];
        return new DeployedProbes([.. command], LivenessPath: null, ReadinessPath: null);
    }

    private async Task<Dictionary<string, object>> EnvironmentOfAsync(IResource resource, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, object>(StringComparer.Ordinal);
        var context = new EnvironmentCallbackContext(executionContext, resource, variables, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return variables;
    }

    private static async Task<List<object>> ArgumentsOfAsync(IResource resource, CancellationToken cancellationToken)
    {
        var arguments = new List<object>();
        var context = new CommandLineArgsCallbackContext(arguments, resource, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return arguments;
    }

    private async Task<List<ValuePart>?> ResolveAsync(object? value, CancellationToken cancellationToken) => value switch
    {
        null => [new TextPart(string.Empty)],
        string text => [new TextPart(text)],
        EndpointReference endpoint => ResolveEndpoint(endpoint, EndpointProperty.Url),
        EndpointReferenceExpression expression => ResolveEndpoint(expression.Endpoint, expression.Property),
        ParameterResource parameter => await ResolveParameterAsync(parameter, cancellationToken),
        ConnectionStringReference reference => await ResolveAsync(reference.Resource.ConnectionStringExpression, cancellationToken),
        IResourceWithConnectionString resource => await ResolveAsync(resource.ConnectionStringExpression, cancellationToken),
        ReferenceExpression expression => await ResolveExpressionAsync(expression, cancellationToken),
        IFormattable formattable => [new TextPart(formattable.ToString(null, CultureInfo.InvariantCulture))],
        _ => throw new InvalidOperationException($"The publish step cannot deploy a value of type {value.GetType().Name}."),
    };

    private List<ValuePart>? ResolveEndpoint(EndpointReference endpoint, EndpointProperty property)
    {
        if (endpoint.EndpointAnnotation.UriScheme == "https")
        {
            return null;
        }

        var host = endpoint.Resource.Name;
        var port = PortOf(endpoint.Resource).ToString(CultureInfo.InvariantCulture);
        var text = property switch
        {
            EndpointProperty.Url => $"{endpoint.EndpointAnnotation.UriScheme}://{host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.HostAndPort => $"{host}:{port}",
            EndpointProperty.Scheme => endpoint.EndpointAnnotation.UriScheme,
            EndpointProperty.TlsEnabled => bool.FalseString,
            _ => throw new InvalidOperationException($"Endpoint property {property} is not supported."),
        };
        return [new TextPart(text)];
    }

    private async Task<List<ValuePart>> ResolveParameterAsync(ParameterResource parameter, CancellationToken cancellationToken)
    {
        if (!parameter.Secret)
        {
            return [new TextPart(await parameter.GetValueAsync(cancellationToken) ?? string.Empty)];
        }

        // A secret travels by name (REDIS_PASSWORD) and its value goes to .env or a Secret only:
        // the configured value when there is one, else the one already in the folder, else a fresh random one.
        var secretName = parameter.Name.ToUpperInvariant().Replace('-', '_');
        if (!_secrets.ContainsKey(secretName))
        {
            _secrets[secretName] = configuration[$"Parameters:{parameter.Name}"] is { Length: > 0 } configured
                ? Deployable(parameter.Name, configured)
                // A kept value that could not travel (edited by hand) is replaced, not blamed on a setting.
                : keptSecrets?.GetValueOrDefault(secretName) is { Length: > 0 } kept && IsDeployable(kept)
                    ? kept
                    : RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        }

        return [new SecretPart(secretName)];
    }

    /// <summary>
    /// A secret goes through .env (where Compose interpolates $ and cuts at # and quotes), a
    /// Kubernetes env file, and a Redis connection string (where , and = separate options): only
    /// letters, digits and - _ . ~ + / @ ! % ^ * ( ) [ ] { } : ? travel through all three unchanged.
    /// </summary>
    private static bool IsDeployable(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || "-_.~+/@!%^*()[]{}:?".Contains(c, StringComparison.Ordinal));

    private static string Deployable(string name, string value) =>
        IsDeployable(value)
            ? value
            : throw new InvalidOperationException(
                $"Parameters:{name} holds a character that .env, the Kubernetes secret or the Redis connection string would change " +
                "(such as $ # , = ' \" ` \\ or a space). Use letters, digits and - _ . ~ + / @ ! % ^ * ( ) [ ] { } : ? only.");

    private async Task<List<ValuePart>?> ResolveExpressionAsync(ReferenceExpression expression, CancellationToken cancellationToken)
    {
        if (expression.IsConditional)
        {
            var condition = await ResolveAsync(expression.Condition, cancellationToken);
            var matched = condition is [TextPart { Text: var text }]
                && string.Equals(text, expression.MatchValue, StringComparison.OrdinalIgnoreCase);
            return await ResolveAsync(matched ? expression.WhenTrue : expression.WhenFalse, cancellationToken);
        }

        var parts = new List<ValuePart>();
        var format = expression.Format;
        var literal = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if ((format[i] == '{' || format[i] == '}') && i + 1 < format.Length && format[i + 1] == format[i])
            {
                literal.Append(format[i]);
                i++;
                continue;
            }

            if (format[i] != '{')
            {
                literal.Append(format[i]);
                continue;
            }

            var close = format.IndexOf('}', i);
            var placeholder = format[(i + 1)..close].Split(':', 2);
            var index = int.Parse(placeholder[0], CultureInfo.InvariantCulture);
            if (await ResolveAsync(expression.ValueProviders[index], cancellationToken) is not { } inserted)
            {
                return null;
            }

            if (literal.Length > 0)
            {
                parts.Add(new TextPart(literal.ToString()));
                literal.Clear();
            }

            var uriEncode = placeholder.Length == 2 && placeholder[1] == "uri";
            parts.AddRange(inserted.Select(part => uriEncode && part is TextPart t ? new TextPart(Uri.EscapeDataString(t.Text)) : part));
            i = close;
        }

        if (literal.Length > 0)
        {
            parts.Add(new TextPart(literal.ToString()));
        }

        return parts;
    }

    private int PortOf(IResource resource) =>
        resource is ProjectResource
            ? settings.ServicePort
            : resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault()?.TargetPort ?? settings.ServicePort;

    private static string ContainerImage(IResource resource)
    {
        var image = resource.Annotations.OfType<ContainerImageAnnotation>().Last();
        var name = string.IsNullOrEmpty(image.Registry) ? image.Image : $"{image.Registry}/{image.Image}";
        return string.IsNullOrEmpty(image.Tag) ? name : $"{name}:{image.Tag}";
    }
}
