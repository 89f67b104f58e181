using BrkCoin.WebUi.Components.Miner;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Lesson;
using Bunit;

namespace BrkCoin.Tests.WebUi;

/// <summary>The first response's chart: plain SVG, yet with axes, units and the lesson's marks.</summary>
public sealed class StaticChartTests : BunitContext
{
    private static readonly DateTime Start = Samples.Start.UtcDateTime;

    [Fact]
    public void The_static_chart_has_a_value_axis_with_its_unit_and_a_time_axis()
    {
        var chart = Render<StaticChart>(p => p
            .Add(c => c.Points, Speeds(3.3, 6.6, 9.9, 9.9))
            .Add(c => c.Unit, "hashes/s"));

        var axes = chart.Find("[data-testid=static-axes]");
        Assert.Contains("hashes/s", axes.TextContent);
        // Zero to a round ceiling above the highest point (9.9 → 10), halfway between.
        Assert.Equal(["0", "5", "10"], axes.QuerySelectorAll("g.tick > text").Select(t => t.TextContent));
        Assert.Equal(3, chart.FindAll("[data-testid=static-times] tspan").Count);
    }

    [Fact]
    public void Each_mark_inside_the_history_is_a_labelled_line()
    {
        var chart = Render<StaticChart>(p => p
            .Add(c => c.Points, Speeds(3.3, 6.6, 9.9, 9.9))
            .Add(c => c.Unit, "hashes/s")
            .Add(c => c.Marks, [new LessonMark(Start.AddMinutes(-5), "1 worker"), new LessonMark(Start.AddSeconds(1), "2 workers"), new LessonMark(Start.AddSeconds(2), "10 workers")]));

        // The first mark is long before the history the chart holds: nothing to point at.
        Assert.Equal(["2 workers", "10 workers"], chart.FindAll("[data-testid=static-mark] text").Select(t => t.TextContent));
    }

    private static List<SpeedPoint> Speeds(params double[] values) =>
        [.. values.Select((value, i) => new SpeedPoint(Start.AddSeconds(i), value))];
}
