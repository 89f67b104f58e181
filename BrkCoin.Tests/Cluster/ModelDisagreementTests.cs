using BrkCoin.Tests.WebUi;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;

namespace BrkCoin.Tests.Cluster;

/// <summary>The page says the model and the measurement disagree only after a whole minute of it.</summary>
public sealed class ModelDisagreementTests
{
    [Theory]
    // 5 hashes/s measured throughout.
    [InlineData(10.0, 70, true)]   // half the model for 70 s
    [InlineData(5.5, 70, false)]   // within 15 %
    [InlineData(10.0, 40, false)]  // not yet a minute
    [InlineData(null, 70, false)]  // no model (throughput mode)
    public void Only_a_minute_outside_the_tolerance_is_said(double? model, int seconds, bool disagrees)
    {
        var history = Enumerable.Range(0, seconds + 1)
            .Select(second => Samples.At(second, 5L * second) with { ModelSpeed = model })
            .ToList();

        var dashboard = DashboardCalculator.Calculate(history);

        Assert.Equal(disagrees, dashboard.ModelDisagrees);
        Assert.Equal(model is null ? 0 : seconds + 1, dashboard.ModelHistory.Count);
    }

    [Fact]
    public void A_step_of_the_lesson_inside_the_minute_is_no_disagreement()
    {
        // The model moves from 3.3 to 6.7 at 50 s; the speed follows a few seconds later.
        var history = new List<MinerSample>();
        long hashes = 0;
        for (var second = 0; second <= 70; second++)
        {
            hashes += second < 53 ? 3 : 7;
            history.Add(Samples.At(second, hashes) with { ModelSpeed = second < 50 ? 3.33 : 6.67 });
        }

        Assert.False(DashboardCalculator.Calculate(history).ModelDisagrees);
    }
}
