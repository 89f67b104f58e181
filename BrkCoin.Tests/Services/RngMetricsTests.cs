using BrkCoin.Mining;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Services;

/// <summary>The series rng's autoscaler is built on, served as Kubernetes asks for it.</summary>
public sealed class RngMetricsTests
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_prometheus_on_rng_serves_its_draw_latency_at_metrics()
    {
        using var rng = new RngFactory(("Metrics:Prometheus", "true"), ("Rng:Latency", "00:00:00.050"));
        var client = rng.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("/8", Cancel)).EnsureSuccessStatusCode();
        }

        var metrics = await Eventually.ReturnsAsync(
            () => client.GetStringAsync("/metrics", Cancel),
            text => text.Contains($"{MinerTelemetry.RngDrawDurationPrometheus}_count", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            "the draw histogram at /metrics");
        var count = metrics.Split('\n').First(line => line.StartsWith($"{MinerTelemetry.RngDrawDurationPrometheus}_count", StringComparison.Ordinal));
        Assert.EndsWith(" 3", count.Split(' ').Take(2).Aggregate((a, b) => $"{a} {b}"));
    }

    [Fact]
    public async Task Without_it_there_is_no_metrics_endpoint()
    {
        using var rng = new RngFactory();

        var response = await rng.CreateClient().GetAsync("/metrics", Cancel);

        // /{count} answers: "metrics" is not a number of bytes.
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
