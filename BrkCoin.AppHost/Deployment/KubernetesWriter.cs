using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// Writes a kustomize base (<c>kubectl apply -k kubernetes/</c>) from a <see cref="DeploymentPlan"/>
/// with KubernetesClient's typed models: a Deployment and ClusterIP Service per .NET service, Redis
/// as a StatefulSet with a volume claim, NetworkPolicies drawn from who calls whom, probes, the Pod
/// Security "restricted" profile, resources, and an autoscaler for rng.
/// </summary>
public static class KubernetesWriter
{
    public const string FolderName = "kubernetes";
    public const string SecretName = "brkcoin-secrets";
    public const string SecretsFile = "secrets.env";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string PartOfLabel = "app.kubernetes.io/part-of";

    /// <summary>The workshop's slides select with <c>-l app=rng</c>; kept beside the recommended labels.</summary>
    public const string AppLabel = "app";

    /// <summary>
    /// The per-pod metric rng's autoscaler reads: prometheus-adapter's name for the rate of the
    /// sum of rng's brkcoin.rng.draw.duration histogram, the draws in rng at once (MinerTelemetry
    /// in ServiceDefaults, which the AppHost does not reference; a test holds the two together).
    /// </summary>
    public const string RngConcurrentDrawsMetric = "brkcoin_rng_concurrent_draws";

    /// <summary>
    /// Draws at once per rng pod the autoscaler aims for: each rng busy 80 % of the time. One
    /// worker at the original's pace keeps rng busy a third of the time; each waiting draw adds one.
    /// </summary>
    public const string RngConcurrentDrawsTarget = "800m";
    private const string PartOf = "brkcoin";

    public static async Task WriteAsync(DeploymentPlan plan, DeploymentSettings settings, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var files = Documents(plan, settings);
        foreach (var (file, objects) in files)
        {
            var yaml = string.Join("---\n", objects.Select(o => KubernetesYaml.Serialize(o).TrimEnd() + "\n"));
            await File.WriteAllTextAsync(Path.Combine(folder, file), yaml, cancellationToken);
        }

        await SecretFile.WriteAsync(Path.Combine(folder, SecretsFile),
            string.Concat(plan.Secrets.Select(s => $"{s.Key}={s.Value}\n")), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "kustomization.yaml"), Kustomization(files.Keys), cancellationToken);
    }

    /// <summary>Every object, by the file it goes in.</summary>
    public static SortedDictionary<string, List<object>> Documents(DeploymentPlan plan, DeploymentSettings settings)
    {
        var files = new SortedDictionary<string, List<object>>(StringComparer.Ordinal);
        foreach (var planned in plan.Services)
        {
            var isRng = planned.Name == "rng";
            // rng serves its metrics at /metrics for the autoscaler (through Prometheus and prometheus-adapter).
            var service = isRng
                ? planned with { Environment = [.. planned.Environment, new EnvironmentVariable("Metrics__Prometheus", [new TextPart("true")])] }
                : planned;
            var perNode = isRng && settings.RngPerNode;
            // The workshop's fix for the 10 hashes/s ceiling is more rng: let Kubernetes do it,
            // unless rng runs one per node, where the cluster's size sets the count.
            var autoscaled = isRng && !perNode;
            var objects = new List<object>
            {
                service.DataPath is not null ? StatefulSet(service)
                    : perNode ? DaemonSet(service)
                    : Deployment(service, autoscaled),
                Service(service, service.IsExternal ? settings.WebUiServiceType : "ClusterIP", headless: isRng),
            };
            if (autoscaled)
            {
                objects.Add(Autoscaler(service, settings.RngMaxReplicas));
            }

            if (service.IsExternal && !string.IsNullOrWhiteSpace(settings.IngressHost))
            {
                objects.Add(Ingress(service, settings.IngressHost));
            }

            files[$"{service.Name}.yaml"] = objects;
        }

        files["network-policies.yaml"] = [.. NetworkPolicies(plan), MetricsPolicy(settings)];
        return files;
    }

    private static V1ObjectMeta Metadata(string name) => new()
    {
        Name = name,
        Labels = new Dictionary<string, string> { [NameLabel] = name, [PartOfLabel] = PartOf, [AppLabel] = name },
    };

    private static Dictionary<string, string> Selector(string name) => new() { [NameLabel] = name };

    private static V1Deployment Deployment(DeployedService service, bool autoscaled) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Metadata(service.Name),
        Spec = new V1DeploymentSpec
        {
            // Left out where the autoscaler owns the count: `kubectl apply` would reset it each time.
            Replicas = autoscaled ? null : service.Replicas,
            // `kubectl rollout undo deployment/worker` goes back through these.
            RevisionHistoryLimit = 10,
            Selector = new V1LabelSelector { MatchLabels = Selector(service.Name) },
            Template = PodTemplate(service),
        },
    };

    /// <summary>One rng per node, as the original's workshop runs it.</summary>
    private static V1DaemonSet DaemonSet(DeployedService service) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "DaemonSet",
        Metadata = Metadata(service.Name),
        Spec = new V1DaemonSetSpec
        {
            RevisionHistoryLimit = 10,
            Selector = new V1LabelSelector { MatchLabels = Selector(service.Name) },
            Template = PodTemplate(service),
        },
    };

    private static V1StatefulSet StatefulSet(DeployedService service) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = Metadata(service.Name),
        Spec = new V1StatefulSetSpec
        {
            ServiceName = service.Name,
            Replicas = service.Replicas,
            Selector = new V1LabelSelector { MatchLabels = Selector(service.Name) },
            Template = PodTemplate(service),
            VolumeClaimTemplates =
            [
                new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = "data" },
                    Spec = new V1PersistentVolumeClaimSpec
                    {
                        AccessModes = ["ReadWriteOnce"],
                        Resources = new V1VolumeResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") },
                        },
                    },
                },
            ],
        },
    };

    private static V1PodTemplateSpec PodTemplate(DeployedService service)
    {
        var mounts = new List<V1VolumeMount> { new() { Name = "tmp", MountPath = "/tmp" } };
        if (service.DataPath is not null)
        {
            mounts.Add(new V1VolumeMount { Name = "data", MountPath = service.DataPath });
        }

        var scraped = service.Environment.Any(v => v.Name == "Metrics__Prometheus");
        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta
            {
                Labels = Metadata(service.Name).Labels,
                // The common scrape convention; a Prometheus configured otherwise needs a ServiceMonitor or PodMonitor.
                Annotations = scraped
                    ? new Dictionary<string, string>
                    {
                        ["prometheus.io/scrape"] = "true",
                        ["prometheus.io/port"] = service.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["prometheus.io/path"] = "/metrics",
                    }
                    : null,
            },
            Spec = new V1PodSpec
            {
                AutomountServiceAccountToken = false,
                // The Pod Security "restricted" profile, pod side.
                SecurityContext = new V1PodSecurityContext
                {
                    RunAsNonRoot = true,
                    RunAsUser = service.RunAsUser,
                    RunAsGroup = service.RunAsUser,
                    FsGroup = service.RunAsUser,
                    SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                },
                Containers =
                [
                    new V1Container
                    {
                        Name = service.Name,
                        Image = service.Image,
                        Command = service.Entrypoint is null ? null : [service.Entrypoint],
                        Args = service.Arguments.Count == 0 ? null : service.Arguments.ToList(),
                        Env = Environment(service),
                        Ports = [new V1ContainerPort { Name = Port(service), ContainerPort = service.Port }],
                        LivenessProbe = Probe(service, service.IsProject ? "/alive" : null),
                        ReadinessProbe = Probe(service, service.IsProject ? service.ReadinessPath : null),
                        Resources = new V1ResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("96Mi") },
                            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("384Mi") },
                        },
                        // The Pod Security "restricted" profile, container side.
                        SecurityContext = new V1SecurityContext
                        {
                            AllowPrivilegeEscalation = false,
                            ReadOnlyRootFilesystem = true,
                            RunAsNonRoot = true,
                            Capabilities = new V1Capabilities { Drop = ["ALL"] },
                            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                        },
                        VolumeMounts = mounts,
                    },
                ],
                Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
            },
        };
    }

    /// <summary>
    /// Secrets come first, from the Secret; the variables that embed one refer to it as
    /// $(NAME), which Kubernetes expands from earlier variables of the same container.
    /// </summary>
    private static List<V1EnvVar> Environment(DeployedService service)
    {
        var secrets = service.SecretsUsed.ToHashSet(StringComparer.Ordinal);
        var variables = secrets.Order(StringComparer.Ordinal)
            .Select(secret => new V1EnvVar
            {
                Name = secret,
                ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = SecretName, Key = secret } },
            })
            .ToList();

        foreach (var variable in service.Environment)
        {
            if (secrets.Contains(variable.Name) && variable.Parts is [SecretPart only] && only.SecretName == variable.Name)
            {
                continue;
            }

            variables.Add(new V1EnvVar { Name = variable.Name, Value = variable.Render(secret => $"$({secret})") });
        }

        return variables;
    }

    private static V1Probe Probe(DeployedService service, string? path) => new()
    {
        HttpGet = path is null ? null : new V1HTTPGetAction { Path = path, Port = Port(service) },
        Exec = path is null ? new V1ExecAction { Command = service.HealthCommand.ToList() } : null,
        PeriodSeconds = 10,
        TimeoutSeconds = 3,
        FailureThreshold = 3,
    };

    private static string Port(DeployedService service) => service.IsProject ? "http" : "tcp";

    /// <summary>
    /// A Service per resource. rng's is headless: a ClusterIP is balanced by kube-proxy per
    /// connection, at random, which queues draws unevenly (and pins them to one pod wherever a
    /// connection is reused); a headless name resolves to every ready pod, and the worker takes
    /// those addresses in turn, one per connection, looking the name up again each time.
    /// </summary>
    private static V1Service Service(DeployedService service, string type, bool headless = false) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata(service.Name),
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = headless ? "None" : null,
            Selector = Selector(service.Name),
            Ports = [new V1ServicePort { Name = Port(service), Port = service.Port, TargetPort = Port(service) }],
        },
    };

    private static V2HorizontalPodAutoscaler Autoscaler(DeployedService service, int maxReplicas) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = Metadata(service.Name),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = service.Name },
            // The workshop's autoscaler, on the draws in rng at once rather than their latency: an
            // unqueued draw takes the whole 0.1 s a latency target allowed, so that ratio never fell
            // below one and rng never scaled down. Ten workers on one rng keep ~8 draws in it and
            // ask for the most; at five rng they keep ~0.7 in each, and one worker (~0.33) needs
            // only the floor. Waiting draws alone would vanish once rng scaled out, and send it back
            // down while the workers still need it. The model's replicas are the floor. Where the
            // cluster serves no custom metrics the autoscaler acts on CPU alone (which a waiting
            // rng barely uses): see README.
            MinReplicas = service.Replicas,
            MaxReplicas = Math.Max(service.Replicas, maxReplicas),
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Pods",
                    Pods = new V2PodsMetricSource
                    {
                        Metric = new V2MetricIdentifier { Name = RngConcurrentDrawsMetric },
                        Target = new V2MetricTarget { Type = "AverageValue", AverageValue = new ResourceQuantity(RngConcurrentDrawsTarget) },
                    },
                },
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource
                    {
                        Name = "cpu",
                        Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 70 },
                    },
                },
            ],
        },
    };

    private static V1Ingress Ingress(DeployedService service, string host) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = Metadata(service.Name),
        Spec = new V1IngressSpec
        {
            Rules =
            [
                new V1IngressRule
                {
                    Host = host,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths =
                        [
                            new V1HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new V1IngressBackend
                                {
                                    Service = new V1IngressServiceBackend { Name = service.Name, Port = new V1ServiceBackendPort { Name = Port(service) } },
                                },
                            },
                        ],
                    },
                },
            ],
        },
    };

    /// <summary>
    /// Deny all ingress, then admit each service's callers (from the model's references) on its
    /// port, and anyone to the external web UI: the seed's one-network-per-service isolation.
    /// </summary>
    /// <summary>Lets Prometheus (in the namespace <c>Deploy:MetricsNamespace</c>) scrape rng's /metrics.</summary>
    private static V1NetworkPolicy MetricsPolicy(DeploymentSettings settings) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Metadata("allow-rng-metrics-scrape"),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = Selector("rng") },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = settings.ServicePort }],
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer
                        {
                            NamespaceSelector = new V1LabelSelector
                            {
                                MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = settings.MetricsNamespace },
                            },
                        },
                    ],
                },
            ],
        },
    };

    private static IEnumerable<V1NetworkPolicy> NetworkPolicies(DeploymentPlan plan)
    {
        yield return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = Metadata("default-deny-ingress"),
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"] },
        };

        foreach (var service in plan.Services)
        {
            var callers = plan.Services.Where(s => s.References.Contains(service.Name)).Select(s => s.Name).ToList();
            if (!service.IsExternal && callers.Count == 0)
            {
                continue;
            }

            var rule = new V1NetworkPolicyIngressRule
            {
                Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = service.Port }],
                FromProperty = service.IsExternal
                    ? null
                    : [.. callers.Select(caller => new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = Selector(caller) } })],
            };
            yield return new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "NetworkPolicy",
                Metadata = Metadata($"allow-{service.Name}-ingress"),
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = new V1LabelSelector { MatchLabels = Selector(service.Name) },
                    PolicyTypes = ["Ingress"],
                    Ingress = [rule],
                },
            };
        }
    }

    private static string Kustomization(IEnumerable<string> files) =>
        new SerializerBuilder().Build().Serialize(new Dictionary<string, object>
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = files.ToList(),
            // The Secret is made from secrets.env, so no password is written into a manifest.
            ["secretGenerator"] = new[]
            {
                new Dictionary<string, object> { ["name"] = SecretName, ["envs"] = new[] { SecretsFile } },
            },
        });
}
