using BrkCoin.WebUi.Wallet;

namespace BrkCoin.Tests.WebUi;

/// <summary>Builds sample histories one second apart, as the sampler would read them.</summary>
public static class Samples
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static MinerSample At(double seconds, long hashes, long coins = 0, params (string Id, long Hashes)[] workers) =>
        new(Start.AddSeconds(seconds), hashes, coins, workers.ToDictionary(w => w.Id, w => w.Hashes), [], Start);
}
