using System.Globalization;
using System.Text;
using YamlDotNet.Serialization;

namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// Writes <c>docker-compose.yaml</c> and <c>.env</c> from a <see cref="DeploymentPlan"/>. The file
/// keeps the seed's isolation — one network per called service, each caller joins the networks
/// of what it calls — and runs unchanged on Swarm (<c>docker stack deploy</c>) thanks to
/// <c>deploy.replicas</c>.
/// </summary>
public static class ComposeWriter
{
    public const string FileName = "docker-compose.yaml";
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
        await SecretFile.WriteAsync(Path.Combine(outputDirectory, EnvFileName), EnvFile(plan), cancellationToken);
    }

    public static Dictionary<string, object> Compose(DeploymentPlan plan, DeploymentSettings settings)
    {
        var called = plan.Services.SelectMany(s => s.References).ToHashSet(StringComparer.Ordinal);
        var services = new Dictionary<string, object>();
        foreach (var service in plan.Services)
        {
            services[service.Name] = Service(service, plan, called, settings);
        }

        if (settings.Dashboard)
        {
            services[DashboardName] = Dashboard(called, settings);
        }

        var networks = called.Order(StringComparer.Ordinal)
            .ToDictionary(n => n, _ => (object)new Dictionary<string, object> { ["internal"] = true });
        if (settings.Dashboard || plan.Services.Any(s => s.IsExternal))
        {
            networks[FrontNetwork] = new Dictionary<string, object>();
        }

        var compose = new Dictionary<string, object>
        {
            ["services"] = services,
            ["networks"] = networks,
        };

        var volumes = plan.Services.Where(s => s.DataPath is not null).ToList();
        if (volumes.Count > 0)
        {
            compose["volumes"] = volumes.ToDictionary(s => VolumeName(s), _ => (object)new Dictionary<string, object>());
        }

        return compose;
    }

    private static Dictionary<string, object> Service(DeployedService service, DeploymentPlan plan, HashSet<string> called, DeploymentSettings settings)
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
        definition["tmpfs"] = new[] { "/tmp" };
        definition["restart"] = "always";
        if (service.IsProject)
        {
            // Docker waits 10 s before SIGKILL; a .NET host takes up to 30 s to stop, which the
            // worker needs to store a coin it found and flush its count (Worker:ShutdownGrace, twice).
            definition["stop_grace_period"] = "30s";
        }

        if (service.DataPath is not null)
        {
            definition["volumes"] = new[] { $"{VolumeName(service)}:{service.DataPath}" };
        }

        if (service.IsExternal)
        {
            definition["ports"] = new[] { $"{HostBinding(settings.WebUiAddress)}{settings.WebUiPort.ToString(CultureInfo.InvariantCulture)}:{service.Port.ToString(CultureInfo.InvariantCulture)}" };
        }

        definition["healthcheck"] = new Dictionary<string, object>
        {
            ["test"] = new[] { "CMD" }.Concat(service.HealthCommand.Select(Escape)).ToList(),
            ["interval"] = "10s",
            ["timeout"] = "5s",
            ["retries"] = 3,
            ["start_period"] = "15s",
        };

        // The short form: Swarm's stack schema refuses `condition:`. Start order is only a
        // courtesy anyway — the worker retries and the web UI says "unreachable" until Redis answers.
        var dependsOn = service.References.Where(name => plan.Services.Any(s => s.Name == name)).ToList();
        if (dependsOn.Count > 0)
        {
            definition["depends_on"] = dependsOn;
        }

        definition["deploy"] = new Dictionary<string, object>
        {
            ["replicas"] = service.Replicas,
            ["restart_policy"] = new Dictionary<string, object> { ["condition"] = "any" },
        };
        return definition;
    }

    private static Dictionary<string, object> Dashboard(HashSet<string> networks, DeploymentSettings settings) => new()
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
