using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BrkCoin.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// What the audience sees while a trainer walks README's lesson (1 → 2 → 10 workers → 5 rng) in
/// headless Chromium: a labelled mark on the chart for each step, live charts drawn after the
/// circuit connects and again after it reconnects, a page that does not move by itself, and a
/// median that differs from the 95th percentile when the calls do.
/// </summary>
[Collection(LessonAlone.Name)]
public sealed class LessonBrowserTests(LessonFixture fixture) : IClassFixture<LessonFixture>
{
    private const float Deadline = 60_000;

    [Fact]
    public async Task The_chart_tells_each_step_of_the_lesson()
    {
        fixture.RequireRunning();
        Prerequisite.Require(HeadlessChromium.Missing);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1500 } });
        // Every circuit's socket goes through here, so the test can drop one as a network would.
        var sockets = new List<IWebSocketRoute>();
        await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/_blazor"), socket =>
        {
            socket.ConnectToServer();
            lock (sockets)
            {
                sockets.Add(socket);
            }
        });
        await page.GotoAsync(fixture.App.GetEndpoint("webui", "http").ToString());

        try
        {
            await LiveChartsDrawnAsync(page);
            await MarkedAsync(page, "1 worker");
            await ModelSaysAsync(page, "3.3", "workers: 1 worker,");
            await NothingMovesBetweenRefreshesAsync(page);

            await StepAsync(page, "scale-worker", "replicas", "2", "2 workers");
            await ModelSaysAsync(page, "6.7", "workers: 2 workers,");
            // Each step gets its plateau, as in a lesson, so the marks stand apart.
            await SpeedAboveAsync(page, 4.5);
            await StepAsync(page, "scale-worker", "replicas", "10", "10 workers");
            await ModelSaysAsync(page, "10.0", "rng: 1 replica, one draw at a time, 10 draws/s");
            // Ten workers queue at one rng: their waits differ, and the panel says so.
            await page.WaitForFunctionAsync(
                "() => { const cells = [...document.querySelectorAll('[data-testid=latency-rng] td')].map(td => parseFloat(td.textContent)); return cells[0] > 300 && cells[1] > cells[0]; }",
                null, new PageWaitForFunctionOptions { Timeout = Deadline });
            await StepAsync(page, "scale-rng", "replicas", "5", "5 rng");
            await ModelSaysAsync(page, "33.3", "workers: 10 workers,");
            await SpeedAboveAsync(page, 12);

            await LiveChartsDrawnAsync(page);
            Directory.CreateDirectory(WebUiBrowserTests.ScreenshotFolder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebUiBrowserTests.ScreenshotFolder, "lesson.png"), FullPage = true });

            // What the server's first response draws before any script runs: axes, units and marks.
            var firstResponse = await browser.NewPageAsync(new BrowserNewPageOptions { JavaScriptEnabled = false, ViewportSize = new ViewportSize { Width = 1280, Height = 1500 } });
            await firstResponse.GotoAsync(fixture.App.GetEndpoint("webui", "http").ToString());
            Assert.Equal(
                ["1 worker", "2 workers", "10 workers", "5 rng"],
                await firstResponse.Locator("#speed-chart [data-testid=static-mark] text").AllTextContentsAsync());
            // ... and the model's figure and the cluster view: this machine, with every replica on it.
            Assert.Contains("of 33.3 hashes/s expected", await firstResponse.Locator("[data-testid=model-expected]").TextContentAsync());
            var services = await firstResponse.Locator("[data-testid=cluster-replica]").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.service)");
            Assert.Equal(1, await firstResponse.Locator("[data-testid=cluster-node]").CountAsync());
            Assert.Equal([("webui", 1), ("worker", 10), ("rng", 5), ("hasher", 1), ("redis", 1)],
                services.GroupBy(s => s).Select(g => (g.Key, g.Count())).ToArray());
            await firstResponse.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebUiBrowserTests.ScreenshotFolder, "lesson-first-response.png"), FullPage = true });

            // A dropped connection: Blazor reconnects to the same circuit and the charts draw again.
            IWebSocketRoute dropped;
            int opened;
            lock (sockets)
            {
                dropped = sockets[^1];
                opened = sockets.Count;
            }

            await dropped.CloseAsync();
            await Eventually.ReturnsAsync(() => Task.FromResult(Count(sockets)), n => n > opened, TimeSpan.FromSeconds(60), "Blazor to reconnect");
            await RefreshedAsync(page);
            await LiveChartsDrawnAsync(page);
            await MarkedAsync(page, "5 rng");

            // A reload: a new circuit, the same marks from Redis.
            await page.ReloadAsync();
            await LiveChartsDrawnAsync(page);
            foreach (var step in new[] { "1 worker", "2 workers", "10 workers", "5 rng" })
            {
                await MarkedAsync(page, step);
            }
        }
        finally
        {
            await WorkshopCommand.ExecuteAsync(fixture.App, "reset");
        }
    }

    // The model line names the figure the shape should reach and the service that limits it, and
    // the step's plateau comes within the page's own 15 % of it.
    private async Task ModelSaysAsync(IPage page, string expected, string bottleneck)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "([expected, bottleneck]) => { const m = document.querySelector('[data-testid=model-expected]'); const b = document.querySelector('[data-testid=model-bottleneck]');"
                + " if (!m || !b || !m.textContent.includes('of ' + expected + ' hashes/s expected') || !b.textContent.startsWith(bottleneck)) return false;"
                + " const [measured, model] = [...m.querySelectorAll('strong')].map(s => parseFloat(s.textContent));"
                + " return Math.abs(measured - model) / model <= 0.15; }",
                new[] { expected, bottleneck }, new PageWaitForFunctionOptions { Timeout = 2 * Deadline });
        }
        catch (TimeoutException)
        {
            var said = await page.EvaluateAsync<string>("() => document.querySelector('[data-testid=model]')?.textContent ?? 'no model line'");
            Assert.Fail($"the model line does not say {expected} hashes/s limited by \"{bottleneck}\"; it says: {said}; {await ReplicasSeenAsync()}");
        }
    }

    // What the AppHost knows of the replicas the model counts, for a failure to say where the
    // chain broke: started, running at its own port, announced to the workers. Never throws: the
    // failure it explains must not be lost to it.
    private async Task<string> ReplicasSeenAsync()
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var workshop = fixture.App.Services.GetRequiredService<BrkCoin.AppHost.Workshop.WorkshopControls>();
            var parts = new List<string>();
            foreach (var service in new[] { "rng", "hasher" })
            {
                var replicas = await ResourceSnapshots.LatestAsync(fixture.App, service, deadline.Token);
                parts.Add($"{service} replicas: " + string.Join(", ", replicas
                    .Where(r => r.State?.Text != KnownResourceStates.NotStarted)
                    .Select(r => $"{r.State?.Text}/{r.HealthStatus?.ToString() ?? "no health"} at {r.EnvironmentVariables.FirstOrDefault(e => e.Name == "ASPNETCORE_URLS")?.Value ?? "no URL"}")));
                if (workshop.Pools.TryGetValue(service, out var pool))
                {
                    parts.Add($"{service} pool: {pool.Active} active, announced: {string.Join(" ", pool.Serving)}, asked: {string.Join(" ", pool.Unannounced.Select(r => r.Address))}");
                }
            }

            parts.Add("live settings: " + await File.ReadAllTextAsync(workshop.Settings.FilePath, deadline.Token));
            return string.Join("; ", parts);
        }
        catch (Exception ex)
        {
            return $"(the AppHost's view could not be read: {ex.GetType().Name}: {ex.Message})";
        }
    }

    private async Task StepAsync(IPage page, string command, string argument, string value, string mark)
    {
        var result = await WorkshopCommand.ExecuteAsync(fixture.App, command, (argument, value));
        Assert.True(result.Success, result.Message);
        await MarkedAsync(page, mark);
    }

    // The mark is labelled on the live chart itself, and listed in words beside it.
    private async Task MarkedAsync(IPage page, string label)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "label => [...document.querySelectorAll('#speed-chart svg text')].some(t => t.textContent.trim() === label)"
                + " && [...document.querySelectorAll('[data-testid=speed-chart-marks] li')].some(li => li.textContent.endsWith(': ' + label))",
                label, new PageWaitForFunctionOptions { Timeout = Deadline });
        }
        catch (TimeoutException)
        {
            var texts = await page.EvaluateAsync<string>("() => [...document.querySelectorAll('#speed-chart svg text')].map(t => t.textContent.trim()).join(' | ')");
            var listed = await page.EvaluateAsync<string>("() => document.querySelector('[data-testid=speed-chart-marks]')?.textContent ?? 'no list'");
            var stored = await fixture.Redis.GetDatabase().SortedSetRangeByRankAsync(BrkCoin.Mining.WalletKeys.LessonMarks);
            Assert.Fail($"no mark \"{label}\" on the chart. Chart texts: {texts}\nListed: {listed}\nIn Redis: {string.Join(", ", stored)}");
        }
    }

    // Both live charts draw new lines with points, not empty boxes: each line differs from the
    // one drawn when this was called (none at first), so a line left over from before a
    // reconnect does not count.
    private static async Task LiveChartsDrawnAsync(IPage page)
    {
        foreach (var chart in new[] { "speed-chart", "coins-chart" })
        {
            var line = $"document.querySelector('#{chart} .rz-area-series path')?.getAttribute('d') ?? ''";
            var before = await page.EvaluateAsync<string>($"() => {line}");
            await page.WaitForFunctionAsync(
                $"before => {{ const d = {line}; return d !== before && (d.match(/L/g) ?? []).length >= 4; }}",
                before, new PageWaitForFunctionOptions { Timeout = Deadline });
        }
    }

    private static async Task SpeedAboveAsync(IPage page, double hashesPerSecond) =>
        await page.WaitForFunctionAsync(
            "min => parseFloat(document.querySelector('[data-testid=speed]').textContent.replace('~', '')) > min",
            hashesPerSecond, new PageWaitForFunctionOptions { Timeout = Deadline });

    private static int Count(List<IWebSocketRoute> sockets)
    {
        lock (sockets)
        {
            return sockets.Count;
        }
    }

    // The figures change: the circuit is up and the sampler's updates arrive.
    private static async Task RefreshedAsync(IPage page)
    {
        var hashes = await page.Locator("[data-testid=hashes]").TextContentAsync();
        await page.WaitForFunctionAsync(
            "before => document.querySelector('[data-testid=hashes]').textContent !== before",
            hashes, new PageWaitForFunctionOptions { Timeout = Deadline });
    }

    // Where the panels start and how tall the headline cards are, over several refreshes: a card
    // whose text wraps on some refreshes and not others moves everything below it.
    private static async Task NothingMovesBetweenRefreshesAsync(IPage page)
    {
        var layouts = new List<string>();
        for (var refresh = 0; refresh < 4; refresh++)
        {
            await RefreshedAsync(page);
            layouts.Add(await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('.figure')].map(f => f.getBoundingClientRect().height).join(',') + ' | ' + document.querySelector('.panels').getBoundingClientRect().top"));
        }

        Assert.True(layouts.Distinct().Count() == 1, "the page moved between refreshes:\n" + string.Join('\n', layouts));
    }
}

/// <summary>
/// The lesson waits for each step's plateau within 15 % of the model: it runs alone, after the
/// parallel tests, since ten workers starting beside a throughput-mode test on two cores took
/// over two minutes to report in CI.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LessonAlone
{
    public const string Name = "The lesson, alone";
}
