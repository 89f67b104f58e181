using System.Text.Json;
using BrkCoin.Tests.EndToEnd;
using BrkCoin.Tests.Support;
using Microsoft.Playwright;

namespace BrkCoin.Tests.Engine;

/// <summary>The page's cluster view and model line, held against what Swarm itself says.</summary>
public sealed partial class ClusterStack
{
    /// <summary>How late the page may follow Swarm: a worker's report expires 15 s after its last flush.</summary>
    public static readonly TimeSpan PageFollowsWithin = TimeSpan.FromSeconds(20);

    // What the page places on a node for each of these, counted against `docker stack ps`.
    private static readonly string[] PlacedServices = ["webui", "worker", "rng", "hasher"];

    /// <summary>
    /// Waits at most <see cref="PageFollowsWithin"/> for the page's cluster view to place every
    /// webui, worker, rng and hasher replica on the node Swarm runs its task on (and the wallet
    /// under "node unknown": its node is a label's, which the page is not told); returns the view
    /// as "node1: webui worker×3 rng, …".
    /// </summary>
    public async Task<string> PageAgreesOnClusterAsync(string step)
    {
        (string Page, string Swarm) seen = default;
        var deadline = DateTimeOffset.UtcNow + PageFollowsWithin;
        do
        {
            var swarm = Placement((await RunningTasksAsync())
                .Select(t => (Node: t.Value, Service: t.Key.Split('#')[0].Split('.')[0]))
                .Where(t => PlacedServices.Contains(t.Service)));
            var stats = await StatsAsync();
            var nodes = stats?.GetProperty("cluster").GetProperty("nodes").EnumerateArray().ToList() ?? [];
            var page = Placement(nodes.SelectMany(node => node.GetProperty("replicas").EnumerateArray()
                .Select(replica => (Node: node.GetProperty("name").GetString()!, Service: replica.GetProperty("service").GetString()!))
                .Where(r => PlacedServices.Contains(r.Service))));
            seen = (page, swarm);
            var wallet = nodes.Where(node => node.GetProperty("replicas").EnumerateArray().Any(r => r.GetProperty("service").GetString() == "redis"))
                .Select(node => node.GetProperty("name").GetString()).SingleOrDefault();
            if (page == swarm && wallet == BrkCoin.WebUi.Cluster.ClusterView.UnknownNode)
            {
                return page;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        }
        while (DateTimeOffset.UtcNow < deadline);

        Assert.Fail($"{step}: {PageFollowsWithin.TotalSeconds:0} s on, the page's cluster view is {seen.Page}; Swarm runs {seen.Swarm}");
        return seen.Page;
    }

    /// <summary>The model's expected speed and the service it names, as /api/stats says them now.</summary>
    public async Task<(double? Expected, string Bottleneck)> ModelAsync()
    {
        var model = await Eventually.ReturnsAsync(StatsAsync, s => s?.GetProperty("model").ValueKind == JsonValueKind.Object, TimeSpan.FromMinutes(1), "the page's model");
        var value = model!.Value.GetProperty("model");
        return (value.GetProperty("expected").ValueKind == JsonValueKind.Number ? value.GetProperty("expected").GetDouble() : null,
            value.GetProperty("bottleneck").GetString()!);
    }

    /// <summary>The model's figure, said against the speed just measured; fails beyond the 15 % the page itself allows.</summary>
    public async Task<string> ModelAgreesAsync(string step, double measured)
    {
        var (expected, bottleneck) = await ModelAsync();
        Assert.True(expected is > 0, $"{step}: the model has no figure ({bottleneck})");
        var off = Math.Abs(measured - expected!.Value) / expected.Value;
        Assert.True(off <= BrkCoin.WebUi.Dashboard.DashboardCalculator.ModelTolerance,
            $"{step}: measured {measured:F2} hashes/s where the page's model expects {expected:F2} ({bottleneck}), {off:P0} off");
        return $"model {expected:F1} ({bottleneck})";
    }

    /// <summary>The page as a browser draws it now, saved as <paramref name="name"/> among the test's screenshots.</summary>
    public async Task ScreenshotAsync(string name)
    {
        if (HeadlessChromium.Missing is not null)
        {
            Say($"no screenshot {name}: {HeadlessChromium.Missing}");
            return;
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1600 } });
        await page.GotoAsync((await PageAsync()).ToString());
        await page.Locator("[data-testid=cluster-node]").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Directory.CreateDirectory(WebUiBrowserTests.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebUiBrowserTests.ScreenshotFolder, name), FullPage = true });
    }

    private async Task<JsonElement?> StatsAsync()
    {
        try
        {
            using var client = new HttpClient { BaseAddress = await PageAsync(), Timeout = TimeSpan.FromSeconds(10) };
            using var json = JsonDocument.Parse(await client.GetStringAsync("/api/stats", Cancel));
            return json.RootElement.Clone();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or JsonException)
        {
            return null;
        }
    }

    // "node1: hasher rng webui worker×3, node2: …", the same order whoever counts.
    private static string Placement(IEnumerable<(string Node, string Service)> replicas) =>
        string.Join(", ", replicas.GroupBy(r => r.Node, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {string.Join(' ', g.GroupBy(r => r.Service, StringComparer.Ordinal).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Count() > 1 ? $"{s.Key}×{s.Count()}" : s.Key))}"));
}
