using System.Collections.Concurrent;
using System.Diagnostics;
using BrkCoin.Mining;

namespace BrkCoin.Tests.Mining;

public sealed class MinerTelemetryTests
{
    [Fact]
    public async Task Each_unit_of_work_is_one_trace_and_a_coin_store_is_its_child()
    {
        var activities = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MinerTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var miner = new MinerHarness();

        // (15/16)^400: a coin is all but certain among 400 units.
        await miner.MineUnitsAsync(400);

        var units = activities.Where(a => a.OperationName == "mine unit").ToList();
        Assert.True(units.Count >= 400);
        var stores = activities.Where(a => a.OperationName == "store coin").ToList();
        Assert.NotEmpty(stores);
        // By the in-process parent, not by membership in what the listener saw: other tests mining
        // at the same time feed the same source.
        Assert.All(stores, store => Assert.Equal("mine unit", store.Parent?.OperationName));
        Assert.All(units, unit => Assert.Null(unit.Parent));
    }
}
