using Aspire.Hosting.Testing;
using BrkCoin.Tests.Support;
using Microsoft.Playwright;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// The live page in a real headless Chromium (Debian's package; Playwright never downloads a
/// browser here), against the AppHost in throughput mode with three workers.
/// </summary>
[Collection(EmbeddedMinerCollection.Name)]
public sealed class WebUiBrowserTests(EmbeddedWalletMinerFixture fixture)
{
    /// <summary>Where the screenshot goes; the README points here.</summary>
    public static readonly string ScreenshotFolder = System.IO.Path.Combine(RepositoryRoot.Path, "artifacts", "screenshots");

    private const float Deadline = 45_000;

    [Fact]
    public async Task The_page_shows_speed_rising_chart_points_and_every_worker()
    {
        fixture.RequireRunning();
        Prerequisite.Require(HeadlessChromium.Missing);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });

        await page.GotoAsync(fixture.App.GetEndpoint("webui", "http").ToString());

        await page.WaitForFunctionAsync(
            "() => parseFloat((document.querySelector('[data-testid=speed]')?.textContent ?? '0').replace('~', '')) > 0",
            null, new PageWaitForFunctionOptions { Timeout = Deadline });
        // An area's outline gains a point each second; a handful shows the chart is live.
        foreach (var chart in new[] { "speed-chart", "coins-chart" })
        {
            await page.WaitForFunctionAsync(
                $"() => [...document.querySelectorAll('#{chart} .rz-area-series path')].some(p => ((p.getAttribute('d') ?? '').match(/L/g) ?? []).length >= 4)",
                null, new PageWaitForFunctionOptions { Timeout = Deadline });
        }
        await page.WaitForFunctionAsync(
            "() => document.querySelectorAll('[data-testid=worker]').length === 3",
            null, new PageWaitForFunctionOptions { Timeout = Deadline });

        // Run mode: every worker runs on this machine, and says so.
        Assert.Equal(Enumerable.Repeat(Environment.MachineName, 3), await page.Locator("[data-testid=worker-node]").AllTextContentsAsync());

        Assert.Equal("BrkCoin Miner", await page.TitleAsync());
        Assert.Equal("BrkCoin Miner", (await page.Locator("h1").TextContentAsync())?.Trim());

        Directory.CreateDirectory(ScreenshotFolder);
        var screenshot = System.IO.Path.Combine(ScreenshotFolder, "webui.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);

        // Phone width: everything stacks into one column and nothing scrolls sideways.
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForFunctionAsync(
            "() => document.documentElement.scrollWidth <= window.innerWidth",
            null, new PageWaitForFunctionOptions { Timeout = Deadline });
        // The worker list fits too, node included (under each replica's name), and no column is cut
        // inside its scroll box, as "minin" for "mining" once was.
        var fits = await page.EvaluateAsync<bool>(
            "() => { const box = document.querySelector('.table-scroll'); return box.scrollWidth <= box.clientWidth; }");
        Assert.True(fits, "The worker list is wider than its panel at 390 px.");
        var state = page.Locator("[data-testid=worker] td.state").First;
        Assert.True(await state.IsVisibleAsync());
        Assert.Equal($"on {Environment.MachineName}", await page.Locator("[data-testid=worker] .node-inline").First.TextContentAsync());
        Assert.True(await page.Locator("[data-testid=worker] .node-inline").First.IsVisibleAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(ScreenshotFolder, "webui-phone.png"), FullPage = true });
    }
}
