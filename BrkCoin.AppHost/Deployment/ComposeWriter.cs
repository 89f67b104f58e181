using System.Globalization;
using System.Text;
using YamlDotNet.Serialization;

namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// Writes <c>docker-compose.yaml</c> (for docker-compose), <c>docker-stack.yaml</c> (for
/// <c>docker stack deploy</c>) and <c>.env</c> from a <see cref="DeploymentPlan"/>. Both keep the
/// seed's isolation — one network per called service, each caller joins the networks of what it
/// calls. The stack file differs where Swarm does: it needs a file version, overlay networks,
/// tmpfs as a volume, ports in the long form, an endpoint mode, and it ignores restart and
/// depends_on (its restart policy lives under deploy).
/// </summary>
public static class ComposeWriter
{
    public const string FileName = "docker-compose.yaml";
    public const string StackFileName = "docker-stack.yaml";

    // `docker stack deploy` refuses a file without a version ("unsupported Compose file version:
    // 1.0"), while docker-compose 1.x ignores `deploy` in a versioned v3 file: hence two files.
    private const string StackFileVersion = "3.8";
    public const string EnvFileName = ".env";
    private const string DashboardName = "aspire-dashboard";

    /// <summary>
    /// The one network with a way out, for what publishes a port (the web UI, the dashboard).
    /// Every network behind it is internal: rng, hasher and Redis cannot reach the internet.
    /// </summary>
    public const string FrontNetwork = "front";

    public static async Task WriteAsync(DeploymentPlan plan, DeploymentSettings settings, string outputDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var yaml = new SerializerBuilder()
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
            // "true" and "60" stay strings: Compose wants strings in environment and command.
            .WithQuotingNecessaryStrings()
            .Build()
            .Serialize(Compose(plan, settings));

        var header = "# Written by the BrkCoin AppHost's publish step from its model; regenerate rather than edit.\n";
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, FileName), header + yaml, cancellationToken);
        var stack = new SerializerBuilder()
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
            .WithQuotingNecessaryStrings()
            .Build()
            .Serialize(Compose(plan, settings, swarm: true));
        var stackHeader = header + "# For Swarm: set -a; . ./.env; set +a; docker stack deploy -c docker-stack.yaml brkcoin\n";
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, StackFileName), stackHeader + stack, cancellationToken);
        await SecretFile.WriteAsync(Path.Combine(outputDirectory, EnvFileName), EnvFile(plan), cancellationToken);
    }

    public static Dictionary<string, object> Compose(DeploymentPlan plan, DeploymentSettings settings, bool swarm = false)
    {
        var called = plan.Services.SelectMany(s => s.References).ToHashSet(StringComparer.Ordinal);
        var services = new Dictionary<string, object>();
        foreach (var service in plan.Services)
        {
            services[service.Name] = Service(service, plan, called, settings, swarm);
        }

        if (settings.Dashboard)
        {
            services[DashboardName] = Dashboard(called, settings, swarm);
        }

        var networks = called.Order(StringComparer.Ordinal)
            .ToDictionary(n => n, _ => (object)Network(swarm, isInternal: true));
        if (settings.Dashboard || plan.Services.Any(s => s.IsExternal))
        {
            networks[FrontNetwork] = Network(swarm, isInternal: false);
        }

        var compose = new Dictionary<string, object>();
        if (swarm)
        {
            compose["version"] = StackFileVersion;
        }

        compose["services"] = services;
        compose["networks"] = networks;

        var volumes = plan.Services.Where(s => s.DataPath is not null).ToList();
        if (volumes.Count > 0)
        {
            compose["volumes"] = volumes.ToDictionary(s => VolumeName(s), _ => (object)new Dictionary<string, object>());
        }

        return compose;
    }

    // Swarm spans hosts: its networks are overlays.
    private static Dictionary<string, object> Network(bool swarm, bool isInternal)
    {
        var network = new Dictionary<string, object>();
        if (swarm)
        {
            network["driver"] = "overlay";
        }

        if (isInternal)
        {
            network["internal"] = true;
        }

        return network;
    }

    private static Dictionary<string, object> Service(DeployedService service, DeploymentPlan plan, HashSet<string> called, DeploymentSettings settings, bool swarm)
    {
        // A service sits on its own network when something calls it, and on the network of each
        // service it calls: worker joins rng, hasher and redis; webui only redis.
        var networks = service.References
            .Concat(called.Contains(service.Name) ? [service.Name] : [])
            .Concat(service.IsExternal ? [FrontNetwork] : [])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        var environment = service.Environment.ToDictionary(v => v.Name, v => (object)Value(v));
        if (settings.Dashboard && service.IsProject)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://{DashboardName}:18889";
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
        }

        var definition = new Dictionary<string, object>
        {
            ["image"] = service.Image,
        };
        if (service.Entrypoint is not null)
        {
            definition["entrypoint"] = new[] { service.Entrypoint };
        }

        if (service.Arguments.Count > 0)
        {
            definition["command"] = service.Arguments.Select(Escape).ToList();
        }

        definition["user"] = $"{service.RunAsUser}:{service.RunAsUser}";
        definition["environment"] = environment;
        definition["networks"] = networks;
        // The root filesystem is read-only; .NET and Redis write only to /tmp and the data volume.
        definition["read_only"] = true;
        AddTmp(definition, swarm);
        if (!swarm)
        {
            definition["restart"] = "always";
        }

        if (service.IsProject)
        {
            // Docker waits 10 s before SIGKILL; a .NET host takes up to 30 s to stop, which the
            // worker needs to store a coin it found and flush its count (Worker:ShutdownGrace, twice).
            definition["stop_grace_period"] = "30s";
        }

        if (service.DataPath is not null)
        {
            var volumes = definition.TryGetValue("volumes", out var existing) ? (List<object>)existing : [];
            volumes.Add($"{VolumeName(service)}:{service.DataPath}");
            definition["volumes"] = volumes;
        }

        if (service.IsExternal && Ports(settings.WebUiAddress, settings.WebUiPort, service.Port, settings, swarm) is { } ports)
        {
            definition["ports"] = ports;
        }

        definition["healthcheck"] = new Dictionary<string, object>
        {
            ["test"] = new[] { "CMD" }.Concat(service.HealthCommand.Select(Escape)).ToList(),
            ["interval"] = "10s",
            ["timeout"] = "5s",
            ["retries"] = 3,
            ["start_period"] = "15s",
        };

        // The short form: Swarm ignores depends_on. Start order is only a courtesy anyway —
        // the worker retries and the web UI says "unreachable" until Redis answers.
        var dependsOn = service.References.Where(name => plan.Services.Any(s => s.Name == name)).ToList();
        if (dependsOn.Count > 0 && !swarm)
        {
            definition["depends_on"] = dependsOn;
        }

        definition["deploy"] = Deploy(service, settings, swarm);
        return definition;
    }

    private static Dictionary<string, object> Deploy(DeployedService service, DeploymentSettings settings, bool swarm)
    {
        var deploy = new Dictionary<string, object>();
        if (swarm && service.Name == "rng" && settings.RngPerNode)
        {
            // The original's stack: one rng per node, the workshop's fix that grows with the cluster.
            deploy["mode"] = "global";
        }
        else
        {
            deploy["replicas"] = service.Replicas;
        }

        if (swarm)
        {
            // A virtual IP needs IPVS in the kernel; where it is missing, DNS round robin gives each
            // task's address and the worker spreads its draws over them itself.
            deploy["endpoint_mode"] = settings.EndpointMode;
            // One task at a time, the new one started and healthy before the old one stops, and
            // back to the previous version if it is not: `docker service update --force worker`
            // and `docker service rollback worker` are the workshop's rollout lessons.
            deploy["update_config"] = new Dictionary<string, object>
            {
                ["parallelism"] = 1,
                ["order"] = service.DataPath is null ? "start-first" : "stop-first",
                ["failure_action"] = "rollback",
                ["monitor"] = "10s",
            };
            deploy["rollback_config"] = new Dictionary<string, object> { ["parallelism"] = 1 };
        }

        deploy["restart_policy"] = new Dictionary<string, object> { ["condition"] = "any" };
        return deploy;
    }

    // Compose's tmpfs key is ignored by Swarm; a tmpfs volume does the same there.
    private static void AddTmp(Dictionary<string, object> definition, bool swarm)
    {
        if (swarm)
        {
            definition["volumes"] = new List<object> { new Dictionary<string, object> { ["type"] = "tmpfs", ["target"] = "/tmp" } };
        }
        else
        {
            definition["tmpfs"] = new[] { "/tmp" };
        }
    }

    /// <summary>
    /// The published port. Swarm always publishes on every interface: asked for one address, the
    /// stack publishes nothing rather than more than was asked (reach the page through a tunnel or
    /// from inside the cluster). With dnsrr there is no routing mesh, so the port is the node's own.
    /// </summary>
    private static List<object>? Ports(string address, int published, int target, DeploymentSettings settings, bool swarm)
    {
        if (!swarm)
        {
            return [$"{HostBinding(address)}{published.ToString(CultureInfo.InvariantCulture)}:{target.ToString(CultureInfo.InvariantCulture)}"];
        }

        if (!string.IsNullOrEmpty(address))
        {
            return null;
        }

        return
        [
            new Dictionary<string, object>
            {
                ["target"] = target,
                ["published"] = published,
                ["protocol"] = "tcp",
                ["mode"] = settings.EndpointMode == "dnsrr" ? "host" : "ingress",
            },
        ];
    }

    private static Dictionary<string, object> Dashboard(HashSet<string> networks, DeploymentSettings settings, bool swarm)
    {
        var dashboard = DashboardService(networks, settings);
        if (swarm)
        {
            dashboard.Remove("restart");
            dashboard.Remove("tmpfs");
            AddTmp(dashboard, swarm);
            if (Ports(settings.DashboardAddress, 18888, 18888, settings, swarm) is { } ports)
            {
                dashboard["ports"] = ports;
            }
            else
            {
                dashboard.Remove("ports");
            }

            dashboard["deploy"] = new Dictionary<string, object> { ["endpoint_mode"] = settings.EndpointMode };
        }

        return dashboard;
    }

    private static Dictionary<string, object> DashboardService(HashSet<string> networks, DeploymentSettings settings) => new()
    {
        ["image"] = settings.DashboardImage,
        ["environment"] = new Dictionary<string, object>
        {
            // OTLP arrives only from inside the project's networks; the browser side keeps its login token.
            ["DASHBOARD__OTLP__AUTHMODE"] = "Unsecured",
        },
        // Its browser side shows every service's logs and traces: on this machine only, unless the
        // user chooses an address. OTLP (18889) is not published at all.
        ["ports"] = new[] { $"{HostBinding(settings.DashboardAddress)}18888:18888" },
        // The dashboard must hear every service, so it joins every network, and the front one for its port.
        ["networks"] = networks.Append(FrontNetwork).Order(StringComparer.Ordinal).ToList(),
        ["read_only"] = true,
        ["tmpfs"] = new[] { "/tmp" },
        ["restart"] = "always",
    };

    private static string HostBinding(string address) => string.IsNullOrEmpty(address) ? string.Empty : $"{address}:";

    // Compose interpolates $NAME in the file; a literal dollar meant for the container's shell is $$.
    private static string Escape(string text) => text.Replace("$", "$$", StringComparison.Ordinal);

    private static string Value(EnvironmentVariable variable) =>
        string.Concat(variable.Parts.Select(part => part switch
        {
            TextPart text => Escape(text.Text),
            SecretPart secret => $"${{{secret.SecretName}}}",
            _ => throw new InvalidOperationException(),
        }));

    private static string VolumeName(DeployedService service) => $"{service.Name}-data";

    private static string EnvFile(DeploymentPlan plan)
    {
        var text = new StringBuilder("# Secrets for docker-compose.yaml. Keep this file out of source control.\n");
        foreach (var (name, value) in plan.Secrets)
        {
            text.Append(name).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }
}
