using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// What prometheus-adapter needs to serve the plan's autoscaler metrics: one rule per metric, in
/// the adapter's own configuration format, for a ConfigMap the adapter mounts as its
/// <c>config.yaml</c> (the Helm chart's <c>rules.existing</c>). An autoscaler whose metric no
/// adapter serves never scales down, so the rule ships beside the autoscaler that reads it.
/// </summary>
public static class PrometheusAdapterRules
{
    /// <summary>The folder under <c>kubernetes/</c>, applied to the adapter's namespace, not the miner's.</summary>
    public const string FolderName = "autoscaler";

    public const string FileName = "prometheus-adapter-rules.yaml";

    public const string ConfigMapName = "brkcoin-prometheus-adapter-rules";

    /// <summary>The key the adapter reads: it starts with <c>--config=/etc/adapter/config.yaml</c>, that folder being the ConfigMap.</summary>
    public const string ConfigKey = "config.yaml";

    /// <summary>
    /// The window each rate is taken over. A rate needs two samples inside it, and Prometheus'
    /// Helm chart scrapes every minute: a one-minute window would leave the metric missing half
    /// the time, and an autoscaler missing its metric holds its count.
    /// </summary>
    public const string RateWindow = "2m";

    /// <summary>The adapter's rule for one autoscaler: the per-pod, per-second rate of its counter, under the metric's name.</summary>
    public static AdapterRule RuleFor(DeployedAutoscaler autoscaler) => new()
    {
        // Prometheus' Kubernetes pod discovery labels each series with its namespace and pod;
        // the adapter maps those to the objects the autoscaler asks about.
        SeriesQuery = $"{autoscaler.RateOf}{{namespace!=\"\",pod!=\"\"}}",
        Resources = new AdapterResources
        {
            Overrides = new SortedDictionary<string, AdapterResourceOverride>(StringComparer.Ordinal)
            {
                ["namespace"] = new() { Resource = "namespace" },
                ["pod"] = new() { Resource = "pod" },
            },
        },
        Name = new AdapterMetricName { Matches = $"^{autoscaler.RateOf}$", As = autoscaler.Metric },
        MetricsQuery = $"sum(rate(<<.Series>>{{<<.LabelMatchers>>}}[{RateWindow}])) by (<<.GroupBy>>)",
    };

    /// <summary>The adapter's configuration file with a rule for each distinct metric.</summary>
    public static string Config(IEnumerable<DeployedAutoscaler> autoscalers) =>
        new SerializerBuilder()
            .WithNamingConvention(CamelCaseNamingConvention.Instance)
            .Build()
            .Serialize(new AdapterConfig
            {
                Rules = [.. autoscalers.DistinctBy(a => (a.Metric, a.RateOf)).OrderBy(a => a.Metric, StringComparer.Ordinal).Select(RuleFor)],
            });
}

/// <summary>prometheus-adapter's configuration file: the custom-metrics rules.</summary>
public sealed record AdapterConfig
{
    public List<AdapterRule> Rules { get; init; } = [];
}

/// <summary>One discovery rule: which series, which objects its labels name, the metric's name, and its query.</summary>
public sealed record AdapterRule
{
    public string SeriesQuery { get; init; } = string.Empty;

    public AdapterResources Resources { get; init; } = new();

    public AdapterMetricName Name { get; init; } = new();

    /// <summary>A Go template over the series (<c>&lt;&lt;.Series&gt;&gt;</c>), the request's label matchers and its group-by.</summary>
    public string MetricsQuery { get; init; } = string.Empty;
}

public sealed record AdapterResources
{
    public SortedDictionary<string, AdapterResourceOverride> Overrides { get; init; } = new(StringComparer.Ordinal);
}

public sealed record AdapterResourceOverride
{
    public string Resource { get; init; } = string.Empty;
}

/// <summary>The series' name as it <see cref="Matches"/>, served <see cref="As"/> the metric the autoscaler reads.</summary>
public sealed record AdapterMetricName
{
    public string Matches { get; init; } = string.Empty;

    public string As { get; init; } = string.Empty;
}
