using BrkCoin.Rng;
using Microsoft.Extensions.Options;

namespace BrkCoin.Tests.Services;

/// <summary>rng's one-at-a-time cap, changed while rng runs (the workshop's "set-rng-cap").</summary>
public sealed class RngGateTests
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lifting_the_cap_lets_the_next_requests_in_at_once_and_restoring_it_queues_them_again()
    {
        var options = new ChangingOptions(new RngOptions { ConcurrentRequests = 1 });
        using var gate = new RngGate(options);

        using var holder = await gate.EnterAsync(Cancel);
        var queued = gate.EnterAsync(Cancel);
        Assert.True(holder.IsAcquired);
        Assert.False(queued.IsCompleted, "one at a time: the second waits");

        options.Change(new RngOptions { ConcurrentRequests = 0 });
        var leases = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => gate.EnterAsync(Cancel).AsTask()));
        Assert.All(leases, lease => Assert.True(lease.IsAcquired));

        options.Change(new RngOptions { ConcurrentRequests = 1 });
        using var first = await gate.EnterAsync(Cancel);
        var second = gate.EnterAsync(Cancel);
        Assert.False(second.IsCompleted, "the cap is back");

        // The request queued under the old cap is still served when its holder is done.
        holder.Dispose();
        using var served = await queued;
        Assert.True(served.IsAcquired);
        first.Dispose();
        (await second).Dispose();
    }

    private sealed class ChangingOptions(RngOptions initial) : IOptionsMonitor<RngOptions>
    {
        private event Action<RngOptions, string?>? Changed;

        public RngOptions CurrentValue { get; private set; } = initial;

        public RngOptions Get(string? name) => CurrentValue;

        public IDisposable OnChange(Action<RngOptions, string?> listener)
        {
            Changed += listener;
            return new Unsubscribe(() => Changed -= listener);
        }

        public void Change(RngOptions next)
        {
            CurrentValue = next;
            Changed?.Invoke(next, null);
        }

        private sealed class Unsubscribe(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }
}
