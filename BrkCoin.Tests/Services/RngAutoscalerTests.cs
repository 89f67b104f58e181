using BrkCoin.AppHost.Deployment;
using BrkCoin.Mining;
using BrkCoin.Tests.Deployment;
using BrkCoin.Tests.Support;
using k8s;
using k8s.Models;

namespace BrkCoin.Tests.Services;

/// <summary>
/// rng's replicas on a cluster, without a cluster, both ways the Kubernetes files come. A real rng
/// at the original's pace carries ten workers and then one, its <c>/metrics</c> scraped as
/// Prometheus would. Each published shape (<c>Golden/default</c>, <c>Golden/autoscaler</c>, held
/// to what publish writes by <see cref="PublishedFilesUnchangedTests"/>) is then played as the
/// cluster would: with no HorizontalPodAutoscaler nothing changes rng's count; with one, the per-pod
/// value is computed by the prometheus-adapter rule shipped beside it and fed to the HPA's own
/// formula with its target, minimum and maximum. No API server runs: the controller's timing and
/// the adapter's Go templating are not exercised, only their arithmetic.
/// </summary>
public sealed class RngAutoscalerTests(RngAutoscalerTests.RngUnderWorkers load) : IClassFixture<RngAutoscalerTests.RngUnderWorkers>
{
    [Fact]
    public void The_default_has_no_autoscaler_so_rng_stays_at_its_replicas()
    {
        var cluster = PublishedRng.Read("default");

        Assert.Null(cluster.Autoscaler);
        var replicas = cluster.Deployment.Spec.Replicas ?? 0;
        // Mining:RngReplicas at its default.
        Assert.Equal(1, replicas);
        Assert.Equal(replicas, cluster.NextReplicas(replicas, load.TenWorkers));
        Assert.Equal(replicas, cluster.NextReplicas(replicas, load.OneWorker));

        // Ten workers queue in the one rng: what `kubectl scale deployment rng --replicas=N` is for.
        var draws = PrometheusExposition.Rate($"{MinerTelemetry.RngDrawDurationPrometheus}_sum", load.TenWorkers.From, load.TenWorkers.To);
        TestContext.Current.TestOutputHelper?.WriteLine($"draws in the one rng at once under 10 workers: {draws:0.00}; rng stays at {replicas}");
        Assert.True(draws > 2, $"ten workers keep only {draws:0.00} draws in one rng: no queue to scale for");
    }

    [Fact]
    public void Opted_in_ten_workers_scale_rng_up_and_one_worker_brings_it_back_down()
    {
        var cluster = PublishedRng.Read("autoscaler");
        var hpa = Assert.IsType<V2HorizontalPodAutoscaler>(cluster.Autoscaler);
        Assert.Null(cluster.Deployment.Spec.Replicas);
        var minimum = hpa.Spec.MinReplicas ?? 1;

        var scaledTo = cluster.NextReplicas(minimum, load.TenWorkers);
        Assert.True(scaledTo > minimum, $"10 workers on one rng: the autoscaler stays at {scaledTo}.");

        // One worker's draws now spread over scaledTo pods; they never queue, so what one rng
        // measured under it is divided among them (draws in rng add up over pods: Little's law).
        var back = cluster.NextReplicas(scaledTo, load.OneWorker);
        TestContext.Current.TestOutputHelper?.WriteLine($"10 workers -> {scaledTo} rng replicas; then 1 worker -> {back}");
        Assert.Equal(minimum, back);
    }

    /// <summary>Two scrapes of rng's <c>/metrics</c> under one load, once it has settled.</summary>
    public sealed record Scrapes(PrometheusExposition From, PrometheusExposition To);

    /// <summary>rng's objects in one published shape, and what the cluster would do with them.</summary>
    private sealed record PublishedRng(V1Deployment Deployment, V2HorizontalPodAutoscaler? Autoscaler, IReadOnlyList<AdapterRule> AdapterRules)
    {
        public static PublishedRng Read(string shape)
        {
            var folder = Path.Combine(RepositoryRoot.Path, "BrkCoin.Tests", "Deployment", "Golden", shape, KubernetesWriter.FolderName);
            var objects = Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories)
                .Where(file => Path.GetFileName(file) != "kustomization.yaml")
                .SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true))
                .ToList();
            return new PublishedRng(
                objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "rng"),
                objects.OfType<V2HorizontalPodAutoscaler>().SingleOrDefault(h => h.Spec.ScaleTargetRef.Name == "rng"),
                [.. objects.OfType<V1ConfigMap>().SelectMany(map => AdapterQuery.RulesIn(map).Rules)]);
        }

        /// <summary>
        /// The count after the controller looks at <paramref name="current"/> pods sharing the load
        /// one rng carried in <paramref name="scrapes"/>. Without an autoscaler nothing changes it.
        /// </summary>
        public int NextReplicas(int current, Scrapes scrapes)
        {
            if (Autoscaler is null)
            {
                return current;
            }

            var metric = Assert.Single(Autoscaler.Spec.Metrics);
            Assert.Equal("Pods", metric.Type);
            // The metric exists only if the adapter serves it: a rule shipped beside the autoscaler.
            var rule = Assert.Single(AdapterRules, r => r.Name.As == metric.Pods.Metric.Name);
            var perPod = AdapterQuery.Parse(rule).PerPod(scrapes.From, scrapes.To) / current;
            var target = (double)metric.Pods.Target.AverageValue.ToDecimal();
            return HorizontalPodAutoscalerFormula.Desired(current, perPod, target, Autoscaler.Spec.MinReplicas ?? 1, Autoscaler.Spec.MaxReplicas);
        }
    }

    /// <summary>A real rng serving Prometheus' format, measured under ten workers and then one; once per class.</summary>
    public sealed class RngUnderWorkers : IAsyncLifetime
    {
        private readonly LoopbackServices _services = new();

        public Scrapes TenWorkers { get; private set; } = null!;

        public Scrapes OneWorker { get; private set; } = null!;

        private static CancellationToken Cancel => TestContext.Current.CancellationToken;

        public async ValueTask InitializeAsync()
        {
            var port = _services.Start("BrkCoin.Rng", new Dictionary<string, string> { ["Metrics__Prometheus"] = "true" });
            await _services.WaitAliveAsync();
            using var rng = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            using (var workers = Workers(rng, 10))
            {
                TenWorkers = await SettledScrapesAsync(rng, draws: 60);
                await workers.CancelAsync();
            }

            using (var workers = Workers(rng, 1))
            {
                OneWorker = await SettledScrapesAsync(rng, draws: 20);
                await workers.CancelAsync();
            }
        }

        /// <summary>Two scrapes at least <paramref name="draws"/> draws apart, once a round of the load has gone through since the last.</summary>
        private static async Task<Scrapes> SettledScrapesAsync(HttpClient rng, int draws)
        {
            var count = $"{MinerTelemetry.RngDrawDurationPrometheus}_count";
            var settled = await ScrapeAsync(rng);
            var from = await Eventually.ReturnsAsync(() => ScrapeAsync(rng), s => s.Sum(count) >= settled.Sum(count) + 10, TimeSpan.FromSeconds(30), "rng to settle under its load");
            var to = await Eventually.ReturnsAsync(() => ScrapeAsync(rng), s => s.Sum(count) >= from.Sum(count) + draws, TimeSpan.FromSeconds(60), $"{draws} draws");
            return new Scrapes(from, to);
        }

        private static async Task<PrometheusExposition> ScrapeAsync(HttpClient rng)
        {
            var text = await rng.GetStringAsync("/metrics", Cancel);
            return new PrometheusExposition(text, DateTimeOffset.UtcNow);
        }

        /// <summary>
        /// Workers at the original's pace until cancelled: pause 0.1 s, draw 32 bytes, 0.1 s for the
        /// hasher (whose own time does not reach rng).
        /// </summary>
        private static CancellationTokenSource Workers(HttpClient rng, int count)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            for (var i = 0; i < count; i++)
            {
                _ = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            await Task.Delay(TimeSpan.FromMilliseconds(100), stop.Token);
                            (await rng.GetAsync("/32", stop.Token)).EnsureSuccessStatusCode();
                            await Task.Delay(TimeSpan.FromMilliseconds(100), stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                        }
                        catch (HttpRequestException)
                        {
                            // As a worker would: draw again after the pause.
                        }
                    }
                }, CancellationToken.None);
            }

            return stop;
        }

        public ValueTask DisposeAsync()
        {
            _services.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
