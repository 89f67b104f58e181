using BrkCoin.Tests.Support;
using BrkCoin.WebUi.Components.Miner;
using BrkCoin.WebUi.Dashboard;
using Bunit;
using Microsoft.Playwright;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// The value labels in Chromium's own fonts (Debian's package): the width estimate the charts are
/// sized by is never narrower than what Chromium draws, and the first response's chart, with the
/// page's stylesheet, keeps every label inside its picture and clear of the unit at phone and
/// desktop width. No AppHost: the markup is rendered here and loaded as the page's content.
/// </summary>
public sealed class AxisLabelBrowserTests : BunitContext
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    // The widest labels each formatter writes, and a few ordinary ones.
    private static readonly string[] Labels =
    [
        .. new[] { 0, 0.5, 97.5, 250, 999, 1000, 1250, 12_500, 12_345, 100_000 }.Select(AxisLabels.Milliseconds),
        .. new[] { 0, 2.5, 999.5, 1000, 1250, 12_250, 100_000, 2_500_000 }.Select(AxisLabels.Count),
    ];

    [Fact]
    public async Task Chromium_draws_no_label_wider_than_its_estimate()
    {
        Prerequisite.Require(HeadlessChromium.Missing);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        // The page's font (app.css) at Radzen's axis size and at the static chart's.
        await page.SetContentAsync($"<style>{AppCss}</style><svg width='800' height='100'><text id='t'></text></svg>");

        foreach (var size in new[] { AxisLabels.RadzenFontSize, AxisLabels.StaticFontSize })
        {
            foreach (var label in Labels)
            {
                var drawn = await page.EvaluateAsync<double>(
                    "([label, size]) => { const t = document.getElementById('t'); t.style.fontSize = size + 'px'; t.textContent = label; return t.getBBox().width; }",
                    new object[] { label, size });
                Assert.True(drawn <= AxisLabels.EstimatedWidth(label, size), $"\"{label}\" at {size} px: drawn {drawn:0.0}, estimated {AxisLabels.EstimatedWidth(label, size):0.0}");
            }
        }
    }

    [Fact]
    public async Task The_static_charts_labels_stay_inside_it_at_phone_and_desktop_width()
    {
        Prerequisite.Require(HeadlessChromium.Missing);
        // Highest points whose round ceilings give the widest labels: "12.5 ms", "1.25 s", "1.25k", "12.5k", "100k".
        var charts = string.Concat(
            Chart("ms", 24, AxisLabels.Milliseconds), Chart("ms", 2400, AxisLabels.Milliseconds), Chart("ms", 99_000, AxisLabels.Milliseconds),
            Chart("hashes/s", 2400, null), Chart("hashes/s", 24_000, null), Chart("hashes/s", 99_000, null));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        foreach (var width in new[] { 390, 1280 })
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
            await page.SetContentAsync($"<style>{AppCss}</style><main><div class='panels'>{charts}</div></main>");
            var faults = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('svg.static-chart')].flatMap(svg => {
                    const box = svg.getBoundingClientRect();
                    const unit = svg.querySelector('.unit text')?.getBoundingClientRect();
                    return [...svg.querySelectorAll('.tick text')].flatMap(text => {
                        const r = text.getBoundingClientRect();
                        const faults = [];
                        if (r.left < box.left || r.right > box.right) faults.push(`"${text.textContent}" outside its chart`);
                        if (unit && r.left < unit.right) faults.push(`"${text.textContent}" over the unit`);
                        return faults;
                    });
                })
                """);
            Assert.True(faults.Length == 0, $"At {width} px: {string.Join("; ", faults)}");
            await page.CloseAsync();
        }
    }

    private string Chart(string unit, double highest, Func<double, string>? format) =>
        Render<StaticChart>(p =>
        {
            p.Add(c => c.Points, [new SpeedPoint(Start, highest / 3), new SpeedPoint(Start.AddSeconds(1), highest)]);
            p.Add(c => c.Unit, unit);
            p.Add(c => c.Format, format);
        }).Markup;

    private static string AppCss => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "BrkCoin.WebUi", "wwwroot", "app.css"));
}
