using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// Writes a kustomize base (<c>kubectl apply -k kubernetes/</c>) from a <see cref="DeploymentPlan"/>
/// with KubernetesClient's typed models: a Deployment and ClusterIP Service per .NET service, Redis
/// as a StatefulSet with a volume claim, NetworkPolicies drawn from who calls whom, probes, the Pod
/// Security "restricted" profile, resources, and where the plan has an autoscaler, it and the
/// prometheus-adapter rule that serves its metric.
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

    private const string PartOf = "brkcoin";

    public static async Task WriteAsync(DeploymentPlan plan, DeploymentSettings settings, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var files = Documents(plan, settings);
        foreach (var (file, objects) in files)
        {
            var path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var yaml = string.Join("---\n", objects.Select(o => KubernetesYaml.Serialize(o).TrimEnd() + "\n"));
            await File.WriteAllTextAsync(path, yaml, cancellationToken);
        }

        await SecretFile.WriteAsync(Path.Combine(folder, SecretsFile),
            string.Concat(plan.Secrets.Select(s => $"{s.Key}={s.Value}\n")), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "kustomization.yaml"),
            Kustomization(files.Keys.Where(f => !f.Contains('/', StringComparison.Ordinal)), withSecret: true), cancellationToken);

        var adapter = Path.Combine(folder, PrometheusAdapterRules.FolderName);
        var adapterFiles = files.Keys.Where(f => f.StartsWith(PrometheusAdapterRules.FolderName + "/", StringComparison.Ordinal)).ToList();
        if (adapterFiles.Count > 0)
        {
            await File.WriteAllTextAsync(Path.Combine(adapter, "kustomization.yaml"),
                Kustomization(adapterFiles.Select(Path.GetFileName)!, withSecret: false), cancellationToken);
        }
        else if (Directory.Exists(adapter))
        {
            // Published again without the autoscaler: the adapter rule of an earlier publish would
            // read as part of this one. Only what this writer put there is removed.
            File.Delete(Path.Combine(adapter, PrometheusAdapterRules.FileName));
            File.Delete(Path.Combine(adapter, "kustomization.yaml"));
            if (!Directory.EnumerateFileSystemEntries(adapter).Any())
            {
                Directory.Delete(adapter);
            }
        }
    }

    /// <summary>
    /// Every object, by the file it goes in: the base's files at the top, and with an autoscaler
    /// the prometheus-adapter rule in <c>autoscaler/</c>, a kustomization of its own applied to
    /// the adapter's namespace (plain files: Debian's kubectl 1.20 predates kustomize components).
    /// </summary>
    public static SortedDictionary<string, List<object>> Documents(DeploymentPlan plan, DeploymentSettings settings)
    {
        var files = new SortedDictionary<string, List<object>>(StringComparer.Ordinal);
        foreach (var planned in plan.Services)
        {
            // A scraped service serves its metrics for Prometheus (and through prometheus-adapter, its autoscaler).
            var service = planned.Metrics is { } metrics
                ? planned with { Environment = [.. planned.Environment, metrics.Enable] }
                : planned;
            var objects = new List<object>
            {
                service.DataPath is not null ? StatefulSet(service)
                    : service.Scaling.OnePerNode ? DaemonSet(service)
                    : Deployment(service),
                Service(service, service.IsExternal ? settings.WebUiServiceType : "ClusterIP"),
            };
            if (service.Scaling.Autoscaler is { } autoscaler)
            {
                objects.Add(Autoscaler(service, autoscaler));
            }

            if (service.IsExternal && !string.IsNullOrWhiteSpace(settings.IngressHost))
            {
                objects.Add(Ingress(service, settings.IngressHost));
            }

            files[$"{service.Name}.yaml"] = objects;
        }

        files["network-policies.yaml"] = [.. NetworkPolicies(plan), .. plan.Services.Where(s => s.Metrics is not null).Select(s => MetricsPolicy(s, settings))];

        var autoscalers = plan.Services.Select(s => s.Scaling.Autoscaler).OfType<DeployedAutoscaler>().ToList();
        if (autoscalers.Count > 0)
        {
            files[$"{PrometheusAdapterRules.FolderName}/{PrometheusAdapterRules.FileName}"] = [AdapterRules(autoscalers)];
        }

        return files;
    }

    /// <summary>The adapter's configuration, as the ConfigMap its Deployment mounts.</summary>
    private static V1ConfigMap AdapterRules(IEnumerable<DeployedAutoscaler> autoscalers) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Metadata(PrometheusAdapterRules.ConfigMapName),
        Data = new Dictionary<string, string> { [PrometheusAdapterRules.ConfigKey] = PrometheusAdapterRules.Config(autoscalers) },
    };

    private static V1ObjectMeta Metadata(string name) => new()
    {
        Name = name,
        Labels = new Dictionary<string, string> { [NameLabel] = name, [PartOfLabel] = PartOf, [AppLabel] = name },
    };

    private static Dictionary<string, string> Selector(string name) => new() { [NameLabel] = name };

    private static V1Deployment Deployment(DeployedService service) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Metadata(service.Name),
        Spec = new V1DeploymentSpec
        {
            // Left out where the autoscaler owns the count: `kubectl apply` would reset it each time.
            Replicas = service.Scaling.Autoscaler is null ? service.Scaling.Replicas : null,
            // `kubectl rollout undo deployment/worker` goes back through these.
            RevisionHistoryLimit = 10,
            Selector = new V1LabelSelector { MatchLabels = Selector(service.Name) },
            Template = PodTemplate(service),
        },
    };

    /// <summary>One per node, as the original's workshop runs rng.</summary>
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
            Replicas = service.Scaling.Replicas,
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
        var mounts = new List<V1VolumeMount> { new() { Name = "tmp", MountPath = service.Hardening.TmpPath } };
        if (service.DataPath is not null)
        {
            mounts.Add(new V1VolumeMount { Name = "data", MountPath = service.DataPath });
        }

        var hardening = service.Hardening;
        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta
            {
                Labels = Metadata(service.Name).Labels,
                // The common scrape convention; a Prometheus configured otherwise needs a ServiceMonitor or PodMonitor.
                Annotations = service.Metrics is { } metrics
                    ? new Dictionary<string, string>
                    {
                        ["prometheus.io/scrape"] = "true",
                        ["prometheus.io/port"] = service.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["prometheus.io/path"] = metrics.Path,
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
                    RunAsUser = hardening.RunAsUser,
                    RunAsGroup = hardening.RunAsUser,
                    FsGroup = hardening.RunAsUser,
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
                        Ports = [new V1ContainerPort { Name = service.PortName, ContainerPort = service.Port }],
                        LivenessProbe = Probe(service, service.Probes.LivenessPath),
                        ReadinessProbe = Probe(service, service.Probes.ReadinessPath),
                        Resources = new V1ResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity>
                            {
                                ["cpu"] = new(hardening.Resources.CpuRequest), ["memory"] = new(hardening.Resources.MemoryRequest),
                            },
                            Limits = new Dictionary<string, ResourceQuantity>
                            {
                                ["cpu"] = new(hardening.Resources.CpuLimit), ["memory"] = new(hardening.Resources.MemoryLimit),
                            },
                        },
                        // The Pod Security "restricted" profile, container side.
                        SecurityContext = new V1SecurityContext
                        {
                            AllowPrivilegeEscalation = false,
                            ReadOnlyRootFilesystem = hardening.ReadOnlyRootFilesystem,
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

        // The downward API gives each pod the node it was scheduled on.
        if (service.NodeNameVariable is { } nodeName)
        {
            variables.Add(new V1EnvVar
            {
                Name = nodeName,
                ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } },
            });
        }

        return variables;
    }

    /// <summary>An HTTP probe at <paramref name="path"/>, else the health command; none when there is neither.</summary>
    private static V1Probe? Probe(DeployedService service, string? path) =>
        path is null && service.Probes.HealthCommand.Count == 0
            ? null
            : new()
            {
                HttpGet = path is null ? null : new V1HTTPGetAction { Path = path, Port = service.PortName },
                Exec = path is null ? new V1ExecAction { Command = service.Probes.HealthCommand.ToList() } : null,
                PeriodSeconds = (int)service.Probes.Timing.Interval.TotalSeconds,
                TimeoutSeconds = (int)service.Probes.Timing.AnswerTimeout.TotalSeconds,
                FailureThreshold = service.Probes.Timing.Retries,
            };

    /// <summary>
    /// A Service per resource. One spread across replicas (rng) is headless: a ClusterIP is
    /// balanced by kube-proxy per connection, at random, which queues draws unevenly (and pins them
    /// to one pod wherever a connection is reused); a headless name resolves to every ready pod,
    /// and the worker takes those addresses in turn, one per connection, looking the name up again
    /// each time.
    /// </summary>
    private static V1Service Service(DeployedService service, string type) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata(service.Name),
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = service.SpreadAcrossReplicas ? "None" : null,
            Selector = Selector(service.Name),
            Ports = [new V1ServicePort { Name = service.PortName, Port = service.Port, TargetPort = service.PortName }],
        },
    };

    /// <summary>
    /// On the per-pod metric alone. rng waits rather than computes, so its CPU never shows its
    /// queue: beside the draws, CPU could only add pods the queue does not ask for (the autoscaler
    /// takes the larger of its metrics' counts), and it cannot stand in for a missing metric either,
    /// since an autoscaler with any metric unavailable does not scale down. So the adapter's rule
    /// ships with it (<see cref="PrometheusAdapterRules"/>).
    /// </summary>
    private static V2HorizontalPodAutoscaler Autoscaler(DeployedService service, DeployedAutoscaler autoscaler) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = Metadata(service.Name),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = service.DataPath is null ? "Deployment" : "StatefulSet", Name = service.Name },
            // Between the model's replicas and the declared maximum.
            MinReplicas = autoscaler.MinReplicas,
            MaxReplicas = autoscaler.MaxReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Pods",
                    Pods = new V2PodsMetricSource
                    {
                        Metric = new V2MetricIdentifier { Name = autoscaler.Metric },
                        Target = new V2MetricTarget { Type = "AverageValue", AverageValue = new ResourceQuantity(autoscaler.TargetAverageValue) },
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
                                    Service = new V1IngressServiceBackend { Name = service.Name, Port = new V1ServiceBackendPort { Name = service.PortName } },
                                },
                            },
                        ],
                    },
                },
            ],
        },
    };

    /// <summary>Lets Prometheus (in the namespace <c>Deploy:MetricsNamespace</c>) scrape a service's metrics.</summary>
    private static V1NetworkPolicy MetricsPolicy(DeployedService service, DeploymentSettings settings) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Metadata($"allow-{service.Name}-metrics-scrape"),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = Selector(service.Name) },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = service.Port }],
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

    /// <summary>
    /// Deny all ingress, then admit each service's callers (the plan's) on its port, and anyone to
    /// the external web UI: the seed's one-network-per-service isolation.
    /// </summary>
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
            var callers = service.Callers;
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

    private static string Kustomization(IEnumerable<string> files, bool withSecret)
    {
        var kustomization = new Dictionary<string, object>
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = files.ToList(),
        };
        if (withSecret)
        {
            // The Secret is made from secrets.env, so no password is written into a manifest.
            kustomization["secretGenerator"] = new[]
            {
                new Dictionary<string, object> { ["name"] = SecretName, ["envs"] = new[] { SecretsFile } },
            };
        }

        return new SerializerBuilder().Build().Serialize(kustomization);
    }
}
