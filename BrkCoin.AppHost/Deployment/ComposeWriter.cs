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
    private const string FrontNetwork = DeploymentPlanner.FrontNetwork;

    public static async Task WriteAsync(DeploymentPlan plan, DeploymentSettings settings, string outputDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        // Rendered once for the publish: the stack file names these secrets and secrets/ holds them.
        var secretFiles = SwarmSecrets.Contents(plan);
        var header = "# Written by the BrkCoin AppHost's publish step from its model; regenerate rather than edit.\n";
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, FileName), header + Yaml(Compose(plan, settings, swarm: false, secretFiles)), cancellationToken);
        var stackHeader = header
            + "# For Swarm, on a manager: docker stack deploy -c docker-stack.yaml brkcoin (its secrets come from secrets/).\n"
            + StackPlacementNote(plan)
            + (settings.EncryptedOverlay ? EncryptedOverlayNote : string.Empty);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, StackFileName), stackHeader + Yaml(Compose(plan, settings, swarm: true, secretFiles)), cancellationToken);
        await SecretFile.WriteAsync(Path.Combine(outputDirectory, EnvFileName), EnvFile(plan), cancellationToken);
        var secrets = Directory.CreateDirectory(Path.Combine(outputDirectory, SwarmSecrets.FilesFolder));
        foreach (var (name, content) in secretFiles)
        {
            await SecretFile.WriteAsync(Path.Combine(secrets.FullName, name), content, cancellationToken);
        }
    }

    private static string Yaml(Dictionary<string, object> compose) =>
        new SerializerBuilder()
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
            // "true" and "60" stay strings: Compose wants strings in environment and command.
            .WithQuotingNecessaryStrings()
            .WithEventEmitter(next => new MultiLineLiteralEmitter(next))
            .Build()
            .Serialize(compose);

    public static Dictionary<string, object> Compose(DeploymentPlan plan, DeploymentSettings settings, bool swarm = false) =>
        Compose(plan, settings, swarm, swarm ? SwarmSecrets.Contents(plan) : new Dictionary<string, string>());

    private static Dictionary<string, object> Compose(DeploymentPlan plan, DeploymentSettings settings, bool swarm, IReadOnlyDictionary<string, string> secretFiles)
    {
        var services = new Dictionary<string, object>();
        foreach (var service in plan.Services)
        {
            services[service.Name] = Service(service, plan, settings, swarm);
        }

        if (settings.Dashboard)
        {
            services[DashboardName] = Dashboard(plan, settings, swarm);
        }

        var networks = plan.Networks.ToDictionary(n => n.Name, n => (object)Network(swarm, n.IsInternal, swarm && settings.EncryptedOverlay));

        var compose = new Dictionary<string, object>();
        if (swarm)
        {
            compose["version"] = StackFileVersion;
        }

        compose["services"] = services;
        compose["networks"] = networks;
        if (swarm && secretFiles.Count > 0)
        {
            compose["secrets"] = secretFiles.Keys.ToDictionary(
                name => name, name => (object)new Dictionary<string, object> { ["file"] = $"./{SwarmSecrets.FilesFolder}/{name}" });
        }

        var volumes = plan.Services.Where(s => s.DataPath is not null).ToList();
        if (volumes.Count > 0)
        {
            compose["volumes"] = volumes.ToDictionary(s => VolumeName(s), _ => (object)new Dictionary<string, object>());
        }

        return compose;
    }

    // Swarm spans hosts: its networks are overlays. Encrypted, the overlay's traffic between nodes
    // goes through IPsec; the option's presence turns it on, so its value is empty.
    private static Dictionary<string, object> Network(bool swarm, bool isInternal, bool encrypted)
    {
        var network = new Dictionary<string, object>();
        if (swarm)
        {
            network["driver"] = "overlay";
        }

        if (encrypted)
        {
            network["driver_opts"] = new Dictionary<string, object> { ["encrypted"] = string.Empty };
        }

        if (isInternal)
        {
            network["internal"] = true;
        }

        return network;
    }

    private static Dictionary<string, object> Service(DeployedService service, DeploymentPlan plan, DeploymentSettings settings, bool swarm)
    {
        // In Swarm what carries a password is a secret file, not a variable (see SwarmSecrets).
        var environment = service.Environment
            .Where(v => !(swarm && SwarmSecrets.IsSecret(v)))
            .ToDictionary(v => v.Name, v => (object)Value(v));
        if (settings.Dashboard && service.ExportsTelemetry)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://{DashboardName}:18889";
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
        }

        // Swarm fills in each task's node; plain Compose runs on one host and has no way to say its name.
        if (swarm && service.NodeNameVariable is { } nodeName)
        {
            environment[nodeName] = "{{.Node.Hostname}}";
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
            var arguments = swarm ? SwarmSecrets.ReadingSecrets(service, service.Arguments) : service.Arguments;
            definition["command"] = arguments.Select(Escape).ToList();
        }

        if (service.Hardening.RunAsUser is { } user)
        {
            definition["user"] = $"{user}:{user}";
        }

        if (environment.Count > 0)
        {
            definition["environment"] = environment;
        }
        definition["networks"] = service.Networks.ToList();
        if (service.Hardening.ReadOnlyRootFilesystem)
        {
            definition["read_only"] = true;
        }

        if (service.Hardening.DropAllCapabilities)
        {
            definition["cap_drop"] = new[] { "ALL" };
        }

        // Swarm services have no security options (Docker 20.10): no-new-privileges is Compose's only.
        if (service.Hardening.NoNewPrivileges && !swarm)
        {
            definition["security_opt"] = new[] { "no-new-privileges:true" };
        }

        if (!swarm)
        {
            definition["cpus"] = Cpus(service.Hardening.Resources.CpuLimit);
            definition["mem_limit"] = Memory(service.Hardening.Resources.MemoryLimit);
        }

        if (swarm && service.Environment.Where(SwarmSecrets.IsSecret).ToList() is { Count: > 0 } secretVariables)
        {
            definition["secrets"] = secretVariables.Select(v => (object)new Dictionary<string, object>
            {
                ["source"] = SwarmSecrets.NameOf(service, v),
                ["target"] = v.Name,
                // Readable by the service's own user only: 0400, which Swarm takes as a decimal number.
                ["uid"] = (service.Hardening.RunAsUser ?? 0).ToString(CultureInfo.InvariantCulture),
                ["gid"] = (service.Hardening.RunAsUser ?? 0).ToString(CultureInfo.InvariantCulture),
                ["mode"] = 0b100_000_000,
            }).ToList();
        }

        AddTmp(definition, service.Hardening.TmpPath, swarm);
        if (!swarm)
        {
            definition["restart"] = "always";
        }

        if (service.StopGracePeriod is { } grace)
        {
            definition["stop_grace_period"] = Duration(grace);
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

        if (service.Probes.HealthCommand.Count > 0)
        {
            definition["healthcheck"] = new Dictionary<string, object>
            {
                ["test"] = new[] { "CMD" }
                    .Concat((swarm ? SwarmSecrets.ReadingSecrets(service, service.Probes.HealthCommand) : service.Probes.HealthCommand).Select(Escape))
                    .ToList(),
                ["interval"] = Duration(service.Probes.Timing.Interval),
                ["timeout"] = Duration(service.Probes.Timing.CommandTimeout),
                ["retries"] = service.Probes.Timing.Retries,
                ["start_period"] = Duration(service.Probes.Timing.StartPeriod),
            };
        }

        // The short form: Swarm ignores depends_on. Start order is only a courtesy anyway —
        // the worker retries and the web UI says "unreachable" until Redis answers.
        var dependsOn = service.References.Where(name => plan.Services.Any(s => s.Name == name)).ToList();
        if (dependsOn.Count > 0 && !swarm)
        {
            definition["depends_on"] = dependsOn;
        }

        definition["deploy"] = Deploy(service, settings.EndpointMode, swarm);
        return definition;
    }

    private static Dictionary<string, object> Deploy(DeployedService service, string endpointMode, bool swarm)
    {
        var deploy = new Dictionary<string, object>();
        if (swarm && service.Scaling.OnePerNode)
        {
            // The original's stack runs rng this way: the workshop's fix that grows with the cluster.
            deploy["mode"] = "global";
        }
        else
        {
            deploy["replicas"] = service.Scaling.Replicas;
        }

        if (swarm)
        {
            // A virtual IP needs IPVS in the kernel; where it is missing, DNS round robin gives each
            // task's address and the worker spreads its draws over them itself.
            deploy["endpoint_mode"] = endpointMode;
            if (service.NodeLabel is { } label)
            {
                // Without a labelled node the task stays pending ("no suitable node"), which is
                // what we want: a wallet started empty elsewhere would look like a lost one.
                deploy["placement"] = new Dictionary<string, object> { ["constraints"] = new[] { $"node.labels.{label} == true" } };
            }

            deploy["resources"] = SwarmLimits(service.Hardening.Resources.CpuLimit, service.Hardening.Resources.MemoryLimit);
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
    private static void AddTmp(Dictionary<string, object> definition, string path, bool swarm)
    {
        if (swarm)
        {
            definition["volumes"] = new List<object> { new Dictionary<string, object> { ["type"] = "tmpfs", ["target"] = path } };
        }
        else
        {
            definition["tmpfs"] = new[] { path };
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

    private static Dictionary<string, object> Dashboard(DeploymentPlan plan, DeploymentSettings settings, bool swarm)
    {
        var dashboard = DashboardService(plan, settings);
        if (swarm)
        {
            dashboard.Remove("restart");
            dashboard.Remove("tmpfs");
            AddTmp(dashboard, "/tmp", swarm);
            if (Ports(settings.DashboardAddress, 18888, 18888, settings, swarm) is { } ports)
            {
                dashboard["ports"] = ports;
            }
            else
            {
                dashboard.Remove("ports");
            }

            dashboard.Remove("security_opt");
            dashboard.Remove("cpus");
            dashboard.Remove("mem_limit");
            dashboard["deploy"] = new Dictionary<string, object>
            {
                ["endpoint_mode"] = settings.EndpointMode,
                ["resources"] = SwarmLimits(plan.DashboardLimits.Cpu, plan.DashboardLimits.Memory),
            };
        }

        return dashboard;
    }

    private static Dictionary<string, object> SwarmLimits(string cpu, string memory) => new()
    {
        ["limits"] = new Dictionary<string, object> { ["cpus"] = Cpus(cpu), ["memory"] = Memory(memory).ToUpperInvariant() },
    };

    private static Dictionary<string, object> DashboardService(DeploymentPlan plan, DeploymentSettings settings) => new()
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
        ["networks"] = plan.Networks.Select(n => n.Name).Append(FrontNetwork).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        ["read_only"] = true,
        ["tmpfs"] = new[] { "/tmp" },
        // Hardened as the services are: it serves on an unprivileged port and needs no capability.
        ["cap_drop"] = new[] { "ALL" },
        ["security_opt"] = new[] { "no-new-privileges:true" },
        ["cpus"] = Cpus(plan.DashboardLimits.Cpu),
        ["mem_limit"] = Memory(plan.DashboardLimits.Memory),
        ["restart"] = "always",
    };

    /// <summary>Why the wallet may not start in a stack, said where the stack's reader looks first.</summary>
    private static string StackPlacementNote(DeploymentPlan plan) =>
        string.Concat(plan.Services.Where(s => s.NodeLabel is not null).Select(s =>
            $"# {s.Name} runs only on a node labelled {s.NodeLabel}=true, where its volume is: before the first deploy,\n" +
            $"#   docker node update --label-add {s.NodeLabel}=true <node>\n" +
            $"# Until one is labelled its task stays pending (\"no suitable node\"), rather than starting empty elsewhere.\n"));

    // An encrypted overlay on a kernel without IPsec deploys without complaint and then drops the
    // traffic between nodes: the file says what it needs where the operator reads first.
    private const string EncryptedOverlayNote =
        "# Its overlay networks are encrypted (IPsec between nodes): every node's kernel needs CONFIG_INET_ESP and xfrm,\n" +
        "# or the services cannot reach each other across nodes.\n";

    // Kubernetes quantities, as the plan holds them, in Compose's words: "500m" CPU is 0.5, "384Mi" is 384m.
    private static string Cpus(string quantity) =>
        quantity.EndsWith('m')
            ? (int.Parse(quantity[..^1], CultureInfo.InvariantCulture) / 1000.0).ToString(CultureInfo.InvariantCulture)
            : quantity;

    private static string Memory(string quantity) =>
        quantity.EndsWith("Mi", StringComparison.Ordinal) ? quantity[..^2] + "m"
        : quantity.EndsWith("Gi", StringComparison.Ordinal) ? quantity[..^2] + "g"
        : quantity;

    // Compose's durations in whole seconds, as "10s".
    private static string Duration(TimeSpan span) => $"{(int)span.TotalSeconds}s";

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
