using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using BrkCoin.Tests.Support;
using Microsoft.Playwright;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// The page a workshop audience watches, in headless Chromium while the trainer runs commands: the
/// first server response already draws the history, and the live chart keeps its points through
/// each change of shape and knob.
/// </summary>
[Collection(WorkshopCollection.Name)]
public sealed partial class WorkshopBrowserTests(WorkshopFixture fixture)
{
    private const float Deadline = 60_000;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_chart_has_points_in_the_first_response_and_after_each_change()
    {
        fixture.RequireRunning();
        Prerequisite.Require(HeadlessChromium.Missing);
        var webui = fixture.App.CreateHttpClient("webui");

        // Before any circuit: the prerendered HTML alone draws what was mined so far.
        var firstResponse = await Eventually.ReturnsAsync(
            () => webui.GetStringAsync("/", Cancel),
            html => StaticPoints(html) >= 3,
            TimeSpan.FromSeconds(30),
            "a drawn line in the prerendered speed chart");
        Assert.Contains("data-testid=\"static-chart\"", firstResponse);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1400 } });
        await page.GotoAsync(fixture.App.GetEndpoint("webui", "http").ToString());
        await LiveChartHasPointsAsync(page);

        try
        {
            Assert.True((await WorkshopCommand.ExecuteAsync(fixture.App, "scale-worker", ("replicas", "2"))).Success);
            await page.WaitForFunctionAsync(
                "() => document.querySelector('[data-testid=workshop-shape]')?.textContent.startsWith('2 workers') && document.querySelectorAll('[data-testid=worker]').length === 2",
                null, new PageWaitForFunctionOptions { Timeout = Deadline });
            await LiveChartHasPointsAsync(page);

            Assert.True((await WorkshopCommand.ExecuteAsync(fixture.App, "set-rng-latency", ("milliseconds", "300"))).Success);
            await page.WaitForFunctionAsync(
                "() => document.querySelector('[data-testid=workshop-knobs]')?.textContent.includes('rng 300 ms')",
                null, new PageWaitForFunctionOptions { Timeout = Deadline });
            await page.WaitForFunctionAsync(
                "() => { const ms = parseFloat(document.querySelector('[data-testid=latency-rng] td')?.textContent ?? ''); return ms > 250 && ms < 400; }",
                null, new PageWaitForFunctionOptions { Timeout = Deadline });
            await LiveChartHasPointsAsync(page);
            Assert.True(await page.Locator("#latency-chart .rz-line-series path").CountAsync() >= 2, "rng and hasher lines");

            Directory.CreateDirectory(WebUiBrowserTests.ScreenshotFolder);
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(WebUiBrowserTests.ScreenshotFolder, "workshop.png"),
                FullPage = true,
            });
        }
        finally
        {
            await WorkshopCommand.ExecuteAsync(fixture.App, "set-rng-latency", ("milliseconds", "100"));
            await WorkshopCommand.ExecuteAsync(fixture.App, "scale-worker", ("replicas", "1"));
        }
    }

    private static async Task LiveChartHasPointsAsync(IPage page) =>
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('#speed-chart .rz-area-series path')].some(p => ((p.getAttribute('d') ?? '').match(/L/g) ?? []).length >= 4)",
            null, new PageWaitForFunctionOptions { Timeout = Deadline });

    // Points of the first static chart's line (the speed chart comes first on the page).
    private static int StaticPoints(string html) =>
        PolylinePoints().Match(html) is { Success: true } line ? line.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length : 0;

    [GeneratedRegex("<polyline[^>]*points=\"([^\"]*)\"")]
    private static partial Regex PolylinePoints();
}
