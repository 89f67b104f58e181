using System.ComponentModel.DataAnnotations;

namespace BrkCoin.AppHost.Deployment;

/// <summary>How the publish step names images and exposes the web UI, bound from the "Deploy" section.</summary>
public sealed class DeploymentSettings : IValidatableObject
{
    public const string Section = "Deploy";

    /// <summary>Registry the images are pushed to, e.g. "ghcr.io/me"; empty for local images.</summary>
    public string Registry { get; set; } = string.Empty;

    /// <summary>Prefix of every image name: rng's image is "{prefix}rng".</summary>
    [RegularExpression("^[a-z0-9._/-]*$")]
    public string ImagePrefix { get; set; } = "brkcoin-";

    [Required]
    [RegularExpression("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    public string Tag { get; set; } = "latest";

    /// <summary>Port every .NET service listens on inside its container (the .NET images' default).</summary>
    [Range(1, 65535)]
    public int ServicePort { get; set; } = 8080;

    /// <summary>Host port the web UI is published on by Compose.</summary>
    [Range(1, 65535)]
    public int WebUiPort { get; set; } = 8080;

    /// <summary>Host address Compose publishes the web UI on; empty for every interface.</summary>
    [RegularExpression(@"^$|^[0-9.]+$|^\[[0-9a-fA-F:]+\]$")]
    public string WebUiAddress { get; set; } = string.Empty;

    /// <summary>Host address Compose publishes the dashboard on (with <see cref="Dashboard"/>).</summary>
    [RegularExpression(@"^$|^[0-9.]+$|^\[[0-9a-fA-F:]+\]$")]
    public string DashboardAddress { get; set; } = "127.0.0.1";

    /// <summary>Kubernetes Service type of the web UI: ClusterIP, NodePort or LoadBalancer.</summary>
    [RegularExpression("^(ClusterIP|NodePort|LoadBalancer)$")]
    public string WebUiServiceType { get; set; } = "NodePort";

    /// <summary>Host name for a Kubernetes Ingress to the web UI; empty for none.</summary>
    public string IngressHost { get; set; } = string.Empty;

    /// <summary>Adds the Aspire dashboard to the Compose file, receiving every service's OTLP.</summary>
    public bool Dashboard { get; set; }

    [Required]
    public string DashboardImage { get; set; } = "mcr.microsoft.com/dotnet/aspire-dashboard:latest";

    /// <summary>
    /// Image of the Redis service in the deployment files; empty means the model's
    /// (<c>Mining:Redis:Image</c>, else Aspire's Redis image).
    /// </summary>
    [RegularExpression("^$|^[A-Za-z0-9._:/@-]+$")]
    public string RedisImage { get; set; } = string.Empty;

    /// <summary>
    /// The wallet's container memory limit, in MiB. Redis gets three quarters of what is left
    /// after 16 MiB as its <c>maxmemory</c> (<see cref="Wallet.WalletMemory"/> says why), and a full wallet refuses
    /// writes rather than being killed. 384 MiB hold about 1.7 million coins: some three months
    /// at the workshop's pace, three and a half hours in throughput mode (docs/deploy.md).
    /// </summary>
    [Range(32, 1048576)]
    public int WalletMemory { get; set; } = 384;

    /// <summary>
    /// How Swarm services reach each other: "vip" (a virtual IP balanced by IPVS, Swarm's default)
    /// or "dnsrr" (the service name resolves to every task, for hosts whose kernel has no IPVS).
    /// </summary>
    [RegularExpression("^(vip|dnsrr)$")]
    public string EndpointMode { get; set; } = "vip";

    /// <summary>One rng per node, as the original's stack runs it: Swarm global mode, a Kubernetes DaemonSet.</summary>
    public bool RngPerNode { get; set; }

    /// <summary>
    /// Kubernetes: rng gets a HorizontalPodAutoscaler on the draws in it at once, with the
    /// prometheus-adapter rule that serves that metric, the scrape annotations and the policy that
    /// lets Prometheus in. Off, rng runs the model's replicas: a plain cluster (no Prometheus, no
    /// adapter) cannot fetch the metric, and an autoscaler that cannot would never scale down.
    /// </summary>
    public bool RngAutoscaler { get; set; }

    /// <summary>Namespace whose Prometheus may scrape rng's /metrics (Kubernetes, with <see cref="RngAutoscaler"/>).</summary>
    [RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string MetricsNamespace { get; set; } = "monitoring";

    /// <summary>Most rng replicas the HorizontalPodAutoscaler may run (with <see cref="RngAutoscaler"/>).</summary>
    [Range(1, 1000)]
    public int RngMaxReplicas { get; set; } = 10;

    /// <summary>
    /// Swarm: the stack's overlay networks are encrypted (IPsec between nodes). Every node's kernel
    /// needs IPsec (CONFIG_INET_ESP, xfrm); without it the encrypted overlay drops the traffic.
    /// </summary>
    public bool EncryptedOverlay { get; set; }

    /// <summary>What <c>aspire deploy</c> brings up: "compose" (docker compose up) or "swarm" (docker stack deploy).</summary>
    [RegularExpression("^(compose|swarm)$")]
    public string Target { get; set; } = "compose";

    /// <summary>
    /// Base image the SDK builds the images on for <c>aspire deploy</c>; empty for the SDK's own
    /// (Microsoft's ASP.NET image, pulled). A runtime-deps image without .NET, like the one
    /// <c>eng/engine.sh</c> builds offline, gets self-contained apps.
    /// </summary>
    [RegularExpression("^$|^[A-Za-z0-9._:/@-]+$")]
    public string BaseImage { get; set; } = string.Empty;

    /// <summary>
    /// Base image of the natively compiled services (rng, hasher, worker); empty for
    /// <see cref="BaseImage"/> when that is set, else the SDK's own (Microsoft's runtime-deps
    /// image, pulled). <c>eng/engine.sh</c> builds one offline that holds only what their
    /// binaries load.
    /// </summary>
    [RegularExpression("^$|^[A-Za-z0-9._:/@-]+$")]
    public string NativeBaseImage { get; set; } = string.Empty;

    /// <summary>The Compose project or Swarm stack <c>aspire deploy</c> and <c>aspire destroy</c> act on.</summary>
    [RegularExpression("^[a-z0-9][a-z0-9_-]*$")]
    public string Project { get; set; } = "brkcoin";

    /// <summary>How long <c>aspire deploy</c> waits for every service to be healthy.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary><c>aspire destroy</c> also removes the volumes, the wallet's among them (kept by default).</summary>
    public bool RemoveVolumes { get; set; }

    /// <summary>Settings that each make sense alone but contradict each other.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RngPerNode && RngAutoscaler)
        {
            yield return new ValidationResult(
                "Deploy:RngPerNode and Deploy:RngAutoscaler contradict each other: one rng per node lets the cluster's size set the count, " +
                "an autoscaler sets it from rng's queue. Choose one.",
                [nameof(RngPerNode), nameof(RngAutoscaler)]);
        }
    }

    public string ImageFor(string resourceName)
    {
        var name = $"{ImagePrefix}{resourceName}:{Tag}";
        return string.IsNullOrEmpty(Registry) ? name : $"{Registry.TrimEnd('/')}/{name}";
    }
}

public static class DeploymentSettingsExtensions
{
    /// <summary>Reads and validates the "Deploy" section before the model is built.</summary>
    public static DeploymentSettings GetDeploymentSettings(this IDistributedApplicationBuilder builder) =>
        builder.Configuration.GetValidated<DeploymentSettings>(DeploymentSettings.Section);
}
