using BrkCoin.Tests.Support;
using StackExchange.Redis;

namespace BrkCoin.Tests.Mining;

/// <summary>
/// The worker's last words, "Stopped after … units of work; … not added", are the auditor's
/// record (README): whatever the last flush does, the worker says what it added and what it could not.
/// </summary>
public sealed class AuditLineTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(30);

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_wallet_that_hangs_past_the_grace_still_gets_the_audit_line()
    {
        var never = new TaskCompletionSource();
        try
        {
            // Flushing every 50 ms: the wallet hangs under a periodic flush first, as it would when
            // Redis stops answering, and the stop comes while that flush is still waiting.
            await using var miner = new MinerHarness(options =>
            {
                options.CounterInterval = TimeSpan.FromMilliseconds(50);
                options.ShutdownGrace = Grace;
            });
            await miner.Miner.StartAsync(Cancel);
            await Eventually.ReturnsAsync(() => Task.FromResult(miner.Wallet.CounterUpdates), n => n >= 2, TimeSpan.FromSeconds(30), "two counter updates");

            var hanging = new TaskCompletionSource();
            miner.Wallet.BeforeEachCounterUpdate = () =>
            {
                hanging.TrySetResult();
                return never.Task;
            };
            await hanging.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
            await miner.Miner.StopAsync(Cancel).WaitAsync(StopDeadline, Cancel);

            AssertAuditLines(miner);
        }
        finally
        {
            never.TrySetResult();
        }
    }

    [Fact]
    public async Task A_wallet_that_times_out_as_the_grace_ends_still_gets_the_audit_line()
    {
        // The stop's Redis call fails only after the grace, as a command does that takes the
        // client's 5 s timeout when the grace is 5 s.
        await using var miner = await MiningWithoutFlushesAsync();
        miner.Wallet.BeforeEachCounterUpdate = async () =>
        {
            await Task.Delay(Grace * 2);
            throw new RedisTimeoutException("Timeout performing EXEC, inst: 1, qs: 1", CommandStatus.Sent);
        };
        await miner.Miner.StopAsync(Cancel).WaitAsync(StopDeadline, Cancel);

        AssertAuditLines(miner);
    }

    [Fact]
    public async Task A_wallet_that_refuses_every_flush_still_gets_the_audit_line()
    {
        await using var miner = await MiningWithoutFlushesAsync();
        miner.Wallet.FailNextCounterUpdates(int.MaxValue);
        await miner.Miner.StopAsync(Cancel).WaitAsync(StopDeadline, Cancel);

        AssertAuditLines(miner);
    }

    // No periodic flush: the stop's flush is the only one, and 50 units wait for it.
    private async Task<MinerHarness> MiningWithoutFlushesAsync()
    {
        var miner = new MinerHarness(options =>
        {
            options.CounterInterval = TimeSpan.FromHours(1);
            options.ShutdownGrace = Grace;
        });
        await miner.Miner.StartAsync(Cancel);
        await Eventually.ReturnsAsync(() => Task.FromResult(miner.Counter.Pending), n => n >= 50, TimeSpan.FromSeconds(30), "50 units done");
        return miner;
    }

    // Both lines, with the figures the worker ends with, and those figures add up: every unit
    // done is either in the wallet or among those the worker says it did not add.
    private static void AssertAuditLines(MinerHarness miner)
    {
        var recorded = miner.Counter.Recorded;
        var pending = miner.Counter.Pending;
        TestContext.Current.SendDiagnosticMessage($"{recorded} units done, {pending} pending, {miner.Wallet.Hashes} in the wallet");
        Assert.True(pending > 0, "the wallet failed, yet nothing was left pending");
        Assert.Equal(recorded, miner.Wallet.Hashes + pending);
        Assert.Contains($"Error: Stopped with {pending} units not added to the hash counter", miner.Logs.Lines);
        Assert.Contains($"Information: Stopped after {recorded} units of work; {pending} not added to the hash counter", miner.Logs.Lines);
    }
}
