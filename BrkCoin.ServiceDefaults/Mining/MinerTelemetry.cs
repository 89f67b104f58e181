namespace BrkCoin.Mining;

/// <summary>Names under which the miner's own metrics and traces are published.</summary>
public static class MinerTelemetry
{
    public const string MeterName = "BrkCoin.Miner";
    public const string ActivitySourceName = "BrkCoin.Miner";
}
