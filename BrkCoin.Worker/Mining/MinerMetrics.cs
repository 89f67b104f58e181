using System.Diagnostics;
using System.Diagnostics.Metrics;
using BrkCoin.Mining;

namespace BrkCoin.Worker.Mining;

/// <summary>The worker's own instruments, shown on the dashboard's Metrics page.</summary>
public sealed class MinerMetrics
{
    public static readonly ActivitySource ActivitySource = new(MinerTelemetry.ActivitySourceName);

    private readonly Counter<long> _hashes;
    private readonly Counter<long> _coins;
    private readonly Histogram<double> _unitDuration;

    public MinerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MinerTelemetry.MeterName);
        _hashes = meter.CreateCounter<long>("brkcoin.hashes", "{hash}", "Units of work completed: hashes computed.");
        _coins = meter.CreateCounter<long>("brkcoin.coins", "{coin}", "Coins found (hashes starting with 0).");
        _unitDuration = meter.CreateHistogram<double>(
            "brkcoin.work_unit.duration", "s", "Time for one unit of work: pause, rng, hasher and wallet.");
    }

    public void UnitDone(TimeSpan elapsed)
    {
        _hashes.Add(1);
        _unitDuration.Record(elapsed.TotalSeconds);
    }

    public void CoinFound(bool isNew) => _coins.Add(1, new KeyValuePair<string, object?>("brkcoin.coin.new", isNew));
}
