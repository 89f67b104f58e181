using BrkCoin.WebUi.Components.Miner;
using BrkCoin.WebUi.Dashboard;
using Bunit;

namespace BrkCoin.Tests.WebUi;

/// <summary>
/// Every value-axis label fits the room its chart gives it, from 0 to 100 s of latency and to
/// 100,000 hashes/s, by an estimate that errs wide (AxisLabelBrowserTests holds it against Chromium).
/// </summary>
public sealed class AxisLabelTests : BunitContext
{
    private static readonly DateTime Start = Samples.Start.UtcDateTime;

    // Every whole value, and the halves and tenths a nice tick can fall on below 100.
    private static IEnumerable<double> UpTo100000 =>
        Enumerable.Range(0, 100_001).Select(v => (double)v)
            .Concat(Enumerable.Range(0, 1000).Select(tenths => tenths / 10.0));

    [Fact]
    public void Latency_labels_carry_ms_or_s()
    {
        Assert.Equal(
            ["0 ms", "0.5 ms", "12.5 ms", "250 ms", "999 ms", "1 s", "1.5 s", "1.25 s", "12.5 s", "100 s"],
            new[] { 0, 0.5, 12.5, 250, 999, 1000, 1500, 1250, 12_500, 100_000 }.Select(AxisLabels.Milliseconds));
    }

    [Fact]
    public void Counts_from_a_thousand_are_written_in_k()
    {
        Assert.Equal(
            ["0", "2.5", "750", "1k", "1.5k", "12.5k", "100k", "2M"],
            new[] { 0, 2.5, 750, 1000, 1500, 12_500, 100_000, 2_000_000 }.Select(AxisLabels.Count));
    }

    [Fact]
    public void Every_latency_label_up_to_100_s_fits_the_latency_charts_axis()
    {
        var room = AxisLabels.RadzenLabelRoom(AxisLabels.LatencyAxisWidth, titled: false);
        var tooWide = UpTo100000.Select(AxisLabels.Milliseconds)
            .Where(label => AxisLabels.EstimatedWidth(label, AxisLabels.RadzenFontSize) > room)
            .Distinct().Take(5).ToList();
        Assert.True(tooWide.Count == 0, $"Wider than the axis's {room} px: {string.Join(", ", tooWide)}");
    }

    [Fact]
    public void Every_count_up_to_100000_fits_the_speed_charts_axis_beside_its_title()
    {
        var room = AxisLabels.RadzenLabelRoom(AxisLabels.SpeedAxisWidth, titled: true);
        var tooWide = UpTo100000.Select(AxisLabels.Count)
            .Where(label => AxisLabels.EstimatedWidth(label, AxisLabels.RadzenFontSize) > room)
            .Distinct().Take(5).ToList();
        Assert.True(tooWide.Count == 0, $"Wider than the axis's {room} px: {string.Join(", ", tooWide)}");
    }

    [Theory]
    [InlineData("ms")]
    [InlineData("hashes/s")]
    public void The_static_charts_labels_fit_left_of_its_plot_up_to_100000(string unit)
    {
        var latency = unit == "ms";
        var room = StaticChart.LabelRoom(unitTitled: !latency);
        var tooWide = new List<string>();
        // Highest points from 0.1 to 100,000 in steps of a tenth of each decade, and just above each.
        foreach (var max in Enumerable.Range(-1, 6).SelectMany(power => Enumerable.Range(10, 91).Select(m => m / 10.0 * Math.Pow(10, power))).Where(max => max <= 100_000))
        {
            foreach (var highest in new[] { max, max * 1.01 })
            {
                var chart = Render<StaticChart>(p =>
                {
                    p.Add(c => c.Points, [new SpeedPoint(Start, highest / 3), new SpeedPoint(Start.AddSeconds(1), highest)]);
                    p.Add(c => c.Unit, unit);
                    if (latency)
                    {
                        p.Add(c => c.Format, AxisLabels.Milliseconds);
                    }
                });
                tooWide.AddRange(chart.FindAll("[data-testid=static-axes] > g.tick > text")
                    .Select(text => text.TextContent)
                    .Where(label => AxisLabels.EstimatedWidth(label, AxisLabels.StaticFontSize) > room));
            }
        }

        Assert.True(tooWide.Count == 0, $"Wider than the {room} units left of the plot: {string.Join(", ", tooWide.Distinct().Take(5))}");
    }
}
