using BrkCoin.AppHost.Deployment;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using k8s.Models;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// README's publish with <c>--Deploy:RngAutoscaler=true</c>: the autoscaler on rng's draws and,
/// beside it, everything it needs that the cluster's operator does not write: the
/// prometheus-adapter rule, the scrape, the policy that lets Prometheus in.
/// </summary>
public sealed class KubernetesAutoscalerTests(KubernetesAutoscalerTests.OptedIn published) : IClassFixture<KubernetesAutoscalerTests.OptedIn>
{
    private const string NameLabel = "app.kubernetes.io/name";

    [Fact]
    public async Task Kustomize_renders_the_opted_in_base_and_the_adapters_folder_and_every_object_round_trips_strictly()
    {
        var objects = await Kustomize.RenderAsync(published.Kubernetes);
        var adapter = await Kustomize.RenderAsync(published.AdapterFolder);

        Assert.Single(objects.OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal(PrometheusAdapterRules.ConfigMapName, Assert.Single(adapter.OfType<V1ConfigMap>()).Metadata.Name);
        // The adapter's folder is applied to the adapter's namespace, not the miner's: the base does not include it.
        Assert.Empty(objects.OfType<V1ConfigMap>());
        Assert.All(objects.Concat(adapter), Kustomize.AssertRoundTrips);
    }

    [Fact]
    public async Task Rng_scales_on_the_concurrent_draws_it_exports_and_on_nothing_else()
    {
        var objects = await Kustomize.RenderAsync(published.Kubernetes);
        var hpa = Assert.Single(objects.OfType<V2HorizontalPodAutoscaler>());

        Assert.Equal("rng", hpa.Spec.ScaleTargetRef.Name);
        // The model's Mining:RngReplicas (1 here) is the floor, Deploy:RngMaxReplicas the ceiling.
        Assert.Equal(1, hpa.Spec.MinReplicas);
        Assert.Equal(new DeploymentSettings().RngMaxReplicas, hpa.Spec.MaxReplicas);
        // No CPU beside it: rng waits rather than computes, so CPU says nothing of its queue.
        var concurrent = Assert.Single(hpa.Spec.Metrics).Pods;
        Assert.Equal(MinerTelemetry.RngConcurrentDrawsMetric, concurrent.Metric.Name);
        Assert.Equal("AverageValue", concurrent.Target.Type);
        Assert.Equal(0.8m, concurrent.Target.AverageValue.ToDecimal());

        // The autoscaler owns the count, so `kubectl apply` must not reset it; rng serves the
        // series on the port its pods announce for scraping.
        var rng = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "rng");
        Assert.Null(rng.Spec.Replicas);
        Assert.Equal("true", rng.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "Metrics__Prometheus").Value);
        Assert.Equal("true", rng.Spec.Template.Metadata.Annotations["prometheus.io/scrape"]);
        Assert.Equal("8080", rng.Spec.Template.Metadata.Annotations["prometheus.io/port"]);
        Assert.Equal("/metrics", rng.Spec.Template.Metadata.Annotations["prometheus.io/path"]);
    }

    [Fact]
    public async Task The_adapter_rule_serves_the_autoscalers_metric_from_the_series_rng_exports()
    {
        var hpa = (await Kustomize.RenderAsync(published.Kubernetes)).OfType<V2HorizontalPodAutoscaler>().Single();
        var rules = AdapterQuery.RulesIn(Assert.Single((await Kustomize.RenderAsync(published.AdapterFolder)).OfType<V1ConfigMap>()));

        var rule = Assert.Single(rules.Rules);
        Assert.Equal(hpa.Spec.Metrics.Single().Pods.Metric.Name, rule.Name.As);
        // rng's histogram as Prometheus names it (RngMetricsTests shows rng serves it): its sum's rate is the draws at once.
        var series = $"{MinerTelemetry.RngDrawDurationPrometheus}_sum";
        Assert.StartsWith(series + "{", rule.SeriesQuery, StringComparison.Ordinal);
        Assert.Matches(rule.Name.Matches, series);
        Assert.Equal(series, AdapterQuery.Parse(rule).Series);
        // The autoscaler asks for pods of its namespace: the rule maps those labels to them.
        Assert.Equal("pod", rule.Resources.Overrides["pod"].Resource);
        Assert.Equal("namespace", rule.Resources.Overrides["namespace"].Resource);
    }

    [Fact]
    public async Task Prometheus_may_scrape_rng_and_nothing_else()
    {
        var objects = await Kustomize.RenderAsync(published.Kubernetes);
        var policy = Assert.Single(objects.OfType<V1NetworkPolicy>(), p => p.Spec.Ingress?.Any(r => r.FromProperty?.Any(peer => peer.NamespaceSelector is not null) == true) == true);

        Assert.Equal("allow-rng-metrics-scrape", policy.Metadata.Name);
        Assert.Equal("rng", policy.Spec.PodSelector.MatchLabels[NameLabel]);
        var rule = Assert.Single(policy.Spec.Ingress);
        Assert.Equal("8080", Assert.Single(rule.Ports).Port.Value);
        Assert.Equal("monitoring", Assert.Single(rule.FromProperty).NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
    }

    /// <summary>README's publish command with the autoscaler turned on, once for the class.</summary>
    public sealed class OptedIn : IAsyncLifetime
    {
        private readonly string _output = Directory.CreateTempSubdirectory("brkcoin-autoscaler-").FullName;

        public string Kubernetes => Path.Combine(_output, KubernetesWriter.FolderName);

        public string AdapterFolder => Path.Combine(Kubernetes, PrometheusAdapterRules.FolderName);

        public async ValueTask InitializeAsync()
        {
            var publish = BuiltProgram.StartInfo("BrkCoin.AppHost",
                ReadmeCommands.Publish.AppHostArgumentsWith(_output, "--Deploy:RngAutoscaler=true"));
            var (exitCode, log) = await BuiltProgram.RunAsync(publish, TimeSpan.FromMinutes(3));
            Assert.True(exitCode == 0, $"publish failed ({exitCode}):\n{log}");
        }

        public ValueTask DisposeAsync()
        {
            Directory.Delete(_output, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
