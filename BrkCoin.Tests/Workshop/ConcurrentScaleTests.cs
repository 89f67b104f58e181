using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using BrkCoin.AppHost.Workshop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BrkCoin.Tests.Workshop;

/// <summary>
/// Two scale commands at once (two quick "Add a replica" clicks, or the trainer and a colleague)
/// each take effect: the second runs from where the first left the pool, and the page is told
/// the count the last one left. Driven on the workshop's controls with a replica command that
/// records what it is asked, so no AppHost starts.
/// </summary>
public sealed class ConcurrentScaleTests : IDisposable
{
    private const string Shape = "Workshop:Workers";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly WorkshopControls _controls = new(new LiveSettings());
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly ReplicaPool _pool;
    private readonly SlowReplicas _replicas = new();

    public ConcurrentScaleTests()
    {
        _pool = _controls.AddPool("worker", initial: 1, max: 5, Shape, addressesSetting: null);
        for (var i = 0; i < _pool.Max; i++)
        {
            _pool.Observe($"worker-{i}", i == 0 ? KnownResourceStates.Running : KnownResourceStates.NotStarted);
        }
    }

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_quick_add_a_replica_commands_from_one_replica_give_three()
    {
        // The first click's start is still under way when the second click comes.
        var first = ScaleAsync(ReplicaTarget.By(+1));
        await _replicas.FirstCommandBegun.WaitAsync(Deadline, Cancel);
        var second = ScaleAsync(ReplicaTarget.By(+1));
        _replicas.Finish();

        var answers = await Task.WhenAll(first, second).WaitAsync(Deadline, Cancel);
        Assert.Equal([2, 3], answers);
        Assert.Equal(3, _pool.Active);
        Assert.Equal(["start worker-1", "start worker-2"], _replicas.Asked);
        Assert.Equal(3, _controls.Settings.Get(Shape)!.GetValue<int>());
        Assert.Contains("worker ×3", _controls.Describe());
    }

    [Fact]
    public async Task Two_scale_commands_at_once_both_apply_and_the_later_one_wins()
    {
        var first = ScaleAsync(ReplicaTarget.To(4));
        await _replicas.FirstCommandBegun.WaitAsync(Deadline, Cancel);
        var second = ScaleAsync(ReplicaTarget.To(2));
        _replicas.Finish();

        var answers = await Task.WhenAll(first, second).WaitAsync(Deadline, Cancel);
        Assert.Equal([4, 2], answers);
        Assert.Equal(2, _pool.Active);
        // The first started three, then the second stopped the last two of them.
        Assert.Equal(["start worker-1", "start worker-2", "start worker-3", "stop worker-2", "stop worker-3"], _replicas.Asked.Take(3).Order().Concat(_replicas.Asked.Skip(3).Order()));
        Assert.Equal(2, _controls.Settings.Get(Shape)!.GetValue<int>());
    }

    [Fact]
    public async Task A_step_past_the_pools_bounds_is_refused_from_the_count_at_its_turn()
    {
        var up = ScaleAsync(ReplicaTarget.To(5));
        await _replicas.FirstCommandBegun.WaitAsync(Deadline, Cancel);
        var oneMore = ScaleAsync(ReplicaTarget.By(+1));
        _replicas.Finish();

        Assert.Equal(5, await up.WaitAsync(Deadline, Cancel));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => oneMore.WaitAsync(Deadline, Cancel));
        Assert.Equal("worker runs 5 replicas; it can run 1 to 5.", refused.Message);
        Assert.Equal(5, _controls.Settings.Get(Shape)!.GetValue<int>());
    }

    [Fact]
    public async Task A_replica_Aspire_cannot_stop_yet_is_asked_again_until_it_stops()
    {
        _pool.Observe("worker-1", KnownResourceStates.Starting);
        var asked = new ConcurrentQueue<string>();
        var refusals = 2;

        // As Aspire answers for a replica it is still starting: twice refused, then stopped.
        var active = await _controls.ScaleAsync(_pool, ReplicaTarget.To(1), _services, (replicaId, command, _) =>
        {
            asked.Enqueue($"{command} {replicaId}");
            return Task.FromResult(Interlocked.Decrement(ref refusals) >= 0
                ? CommandResults.Failure($"Failed to stop resource '{replicaId}'.")
                : CommandResults.Success());
        }, NullLogger.Instance, Cancel).WaitAsync(Deadline, Cancel);

        Assert.Equal(1, active);
        Assert.Equal(Enumerable.Repeat($"{KnownResourceCommands.StopCommand} worker-1", 3), asked);
    }

    private Task<int> ScaleAsync(ReplicaTarget target) =>
        _controls.ScaleAsync(_pool, target, _services, _replicas.RunAsync, NullLogger.Instance, Cancel);

    public void Dispose()
    {
        _services.Dispose();
        _controls.Dispose();
    }

    /// <summary>Aspire's start and stop, as slow as a replica starting: each waits until <see cref="Finish"/>.</summary>
    private sealed class SlowReplicas
    {
        private readonly TaskCompletionSource _begun = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string> _asked = new();

        public Task FirstCommandBegun => _begun.Task;

        public IReadOnlyList<string> Asked => [.. _asked];

        public void Finish() => _finish.TrySetResult();

        public async Task<ExecuteCommandResult> RunAsync(string replicaId, string command, CancellationToken cancellationToken)
        {
            _asked.Enqueue($"{(command == KnownResourceCommands.StartCommand ? "start" : "stop")} {replicaId}");
            _begun.TrySetResult();
            await _finish.Task.WaitAsync(cancellationToken);
            return CommandResults.Success();
        }
    }
}
