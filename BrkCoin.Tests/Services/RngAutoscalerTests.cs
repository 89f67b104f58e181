using System.Globalization;
using BrkCoin.AppHost.Deployment;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Services;

/// <summary>
/// rng's autoscaler without a cluster: a real rng at the original's pace, its <c>/metrics</c>
/// scraped as Prometheus would, the per-pod value computed as prometheus-adapter's rule in docs/deploy.md
/// does, and the HorizontalPodAutoscaler's own formula applied to it with the published target.
/// </summary>
public sealed class RngAutoscalerTests : IDisposable
{
    private readonly LoopbackServices _services = new();

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_workers_scale_rng_up_and_one_worker_brings_it_back_to_the_minimum()
    {
        // Mining:RngReplicas and Deploy:RngMaxReplicas at their defaults.
        const int Minimum = 1;
        var maximum = new DeploymentSettings().RngMaxReplicas;
        var target = (double)new k8s.Models.ResourceQuantity(BrkCoin.AppHost.RngAutoscaling.TargetAverageValue).ToDecimal();
        Assert.Equal(MinerTelemetry.RngConcurrentDrawsMetric, BrkCoin.AppHost.RngAutoscaling.Metric);
        var port = _services.Start("BrkCoin.Rng", new Dictionary<string, string> { ["Metrics__Prometheus"] = "true" });
        await _services.WaitAliveAsync();
        using var rng = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        double tenWorkers;
        using (var load = Workers(rng, 10))
        {
            tenWorkers = await ConcurrentDrawsAsync(rng, draws: 60);
            await load.CancelAsync();
        }

        var scaledTo = HorizontalPodAutoscalerFormula.Desired(Minimum, tenWorkers, target, Minimum, maximum);
        Assert.True(scaledTo > Minimum, $"10 workers keep {tenWorkers:0.00} draws in one rng: the autoscaler stays at {scaledTo}.");

        double oneWorker;
        using (var load = Workers(rng, 1))
        {
            oneWorker = await ConcurrentDrawsAsync(rng, draws: 20);
            await load.CancelAsync();
        }

        // The autoscaler now runs scaledTo pods and one worker's draws spread over them: draws
        // in rng add up over pods (Little's law), and one worker's never queue, so the average a
        // pod reports is what one rng measured here, divided by the pods.
        var back = HorizontalPodAutoscalerFormula.Desired(scaledTo, oneWorker / scaledTo, target, Minimum, maximum);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"draws in rng at once: 10 workers {tenWorkers:0.00} -> {scaledTo} replicas; 1 worker {oneWorker:0.00} -> {back}");
        Assert.Equal(Minimum, back);
    }

    /// <summary>
    /// The per-pod metric as prometheus-adapter computes it, <c>rate(…_sum)</c>, between two
    /// scrapes at least <paramref name="draws"/> draws apart, once the load has settled.
    /// </summary>
    private async Task<double> ConcurrentDrawsAsync(HttpClient rng, int draws)
    {
        var count = $"{MinerTelemetry.RngDrawDurationPrometheus}_count";
        var sum = $"{MinerTelemetry.RngDrawDurationPrometheus}_sum";
        // Settled: a worker's round has gone through the queue since the scrape before.
        var settled = await ScrapeAsync(rng);
        var from = await Eventually.ReturnsAsync(() => ScrapeAsync(rng), s => s.Sum(count) >= settled.Sum(count) + 10, TimeSpan.FromSeconds(30), "rng to settle under its load");
        var to = await Eventually.ReturnsAsync(() => ScrapeAsync(rng), s => s.Sum(count) >= from.Sum(count) + draws, TimeSpan.FromSeconds(60), $"{draws} draws");
        return PrometheusExposition.Rate(sum, from, to);
    }

    private async Task<PrometheusExposition> ScrapeAsync(HttpClient rng)
    {
        var text = await rng.GetStringAsync("/metrics", Cancel);
        return new PrometheusExposition(text, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Workers at the original's pace until cancelled: pause 0.1 s, draw 32 bytes, 0.1 s for the
    /// hasher (whose own time does not reach rng).
    /// </summary>
    private CancellationTokenSource Workers(HttpClient rng, int count)
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

    public void Dispose() => _services.Dispose();
}
