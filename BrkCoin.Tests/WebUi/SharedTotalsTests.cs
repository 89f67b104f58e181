using BrkCoin.WebUi.Wallet;

namespace BrkCoin.Tests.WebUi;

/// <summary>/json's shared read: one Redis round trip for many requests, never older than 100 ms.</summary>
public sealed class SharedTotalsTests
{
    private readonly ManualClock _clock = new(Samples.Start);
    private int _reads;

    [Fact]
    public async Task Requests_during_a_read_share_it()
    {
        var pending = new TaskCompletionSource<WalletTotals>();
        var shared = new SharedTotals(() => { _reads++; return pending.Task; }, _clock);

        var answers = Enumerable.Range(0, 50).Select(_ => shared.ReadAsync()).ToList();
        pending.SetResult(new WalletTotals(3, 48, _clock.GetUtcNow()));

        Assert.Equal(1, _reads);
        Assert.All(await Task.WhenAll(answers), totals => Assert.Equal(48, totals.Hashes));
    }

    [Fact]
    public async Task A_reading_is_reused_for_100_ms_then_read_again()
    {
        var shared = new SharedTotals(() => Task.FromResult(new WalletTotals(0, ++_reads, _clock.GetUtcNow())), _clock);

        Assert.Equal(1, (await shared.ReadAsync()).Hashes);
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(1, (await shared.ReadAsync()).Hashes);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, (await shared.ReadAsync()).Hashes);
    }

    [Fact]
    public async Task A_failed_read_is_not_kept()
    {
        var fail = true;
        var shared = new SharedTotals(() =>
        {
            _reads++;
            return fail ? Task.FromException<WalletTotals>(new TimeoutException("redis")) : Task.FromResult(new WalletTotals(1, 2, _clock.GetUtcNow()));
        }, _clock);

        await Assert.ThrowsAsync<TimeoutException>(shared.ReadAsync);
        fail = false;

        Assert.Equal(2, (await shared.ReadAsync()).Hashes);
        Assert.Equal(2, _reads);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
