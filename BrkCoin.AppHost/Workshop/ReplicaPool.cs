using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// One service's replicas in run mode: all <see cref="Max"/> are declared with explicit start, so
/// the ones not running cost nothing (no process, no DCP executable), and scaling starts or stops
/// replicas through Aspire's own start and stop commands, as the dashboard's buttons would.
/// </summary>
/// <param name="service">The resource whose replicas these are.</param>
/// <param name="initial">Replicas running at start.</param>
/// <param name="max">Replicas declared.</param>
/// <param name="shapeSetting">Live setting that tells the page how many run ("Workshop:Workers").</param>
/// <param name="addressesSetting">Live setting that tells the callers where the running replicas serve, if they spread their calls themselves.</param>
public sealed class ReplicaPool(string service, int initial, int max, string shapeSetting, string? addressesSetting)
{
    // Replica id (e.g. "worker-xkqwzr3a") → its last known state text.
    private readonly ConcurrentDictionary<string, string?> _replicas = new(StringComparer.Ordinal);
    // Replica id → its own address while it runs, and the subset announced to the callers (it
    // answered there). One lock over both: a replica's address and whether it is announced change
    // together, from Aspire's state changes and from the probes that ask it.
    private readonly Lock _addressing = new();
    private readonly Dictionary<string, Uri> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Uri> _serving = new(StringComparer.Ordinal);
    // Replicas this pool stopped to scale down, until it starts them again: their Finished is not a failure.
    private readonly ConcurrentDictionary<string, bool> _scaledDown = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _scaling = new(1, 1);

    // Aspire answers "Failed to stop resource" for a replica it is still starting: a reset right
    // after a scale-up meets one on a loaded machine (seen in CI). The stop is asked again each
    // second, for about as long as a start may take, rather than failing the trainer's command.
    private static readonly ResiliencePipeline<ExecuteCommandResult> StopOnceStarted = new ResiliencePipelineBuilder<ExecuteCommandResult>()
        .AddRetry(new RetryStrategyOptions<ExecuteCommandResult>
        {
            ShouldHandle = new PredicateBuilder<ExecuteCommandResult>().HandleResult(result => !result.Success),
            MaxRetryAttempts = 30,
            Delay = TimeSpan.FromSeconds(1),
            BackoffType = DelayBackoffType.Constant,
        })
        .Build();
    private readonly TaskCompletionSource _allDeclared = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Service { get; } = service;

    public int Initial { get; } = initial;

    public int Max { get; } = max;

    public string ShapeSetting { get; } = shapeSetting;

    public string? AddressesSetting { get; } = addressesSetting;

    /// <summary>Replicas started and not stopped, whether or not they are healthy yet.</summary>
    public int Active => _replicas.Values.Count(IsActive);

    /// <summary>Where the replicas announced to the callers serve, in a stable order.</summary>
    public IReadOnlyList<Uri> Serving
    {
        get
        {
            lock (_addressing)
            {
                return [.. _serving.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value)];
            }
        }
    }

    /// <summary>Replicas running at their own address and not announced yet: the ones to ask.</summary>
    public IReadOnlyList<(string Replica, Uri Address)> Unannounced
    {
        get
        {
            lock (_addressing)
            {
                return [.. _running.Where(r => !_serving.ContainsKey(r.Key)).Select(r => (r.Key, r.Value))];
            }
        }
    }

    /// <summary>
    /// Follows a state change of one of this service's replicas; <paramref name="ownAddress"/> is
    /// where it serves while it runs, else null. A replica still running at the same address stays
    /// announced; one that stops or moves is taken off. True when <see cref="Serving"/> changed.
    /// </summary>
    public bool Observe(string replicaId, string? state, Uri? ownAddress = null)
    {
        _replicas[replicaId] = state;
        if (_replicas.Count >= Max)
        {
            _allDeclared.TrySetResult();
        }

        lock (_addressing)
        {
            if (ownAddress is null)
            {
                _running.Remove(replicaId);
                return _serving.Remove(replicaId);
            }

            _running[replicaId] = ownAddress;
            return _serving.TryGetValue(replicaId, out var announced) && announced != ownAddress && _serving.Remove(replicaId);
        }
    }

    /// <summary>
    /// Announces a replica that answered at <paramref name="address"/>, if it still runs there: an
    /// answer that comes back after the replica stopped or moved announces nothing. True when
    /// <see cref="Serving"/> changed.
    /// </summary>
    public bool Announce(string replicaId, Uri address)
    {
        lock (_addressing)
        {
            if (!_running.TryGetValue(replicaId, out var current) || current != address || _serving.ContainsKey(replicaId))
            {
                return false;
            }

            _serving[replicaId] = address;
            return true;
        }
    }

    /// <summary>
    /// Whether the dashboard should leave a replica out of its list: one declared and never
    /// started, or one this pool stopped to scale down, has no process and nothing to show, and
    /// ten spare workers would crowd out the five services. One that stopped by itself or failed
    /// to start stays in view.
    /// </summary>
    public bool IsSpare(string replicaId, string? state) =>
        state == KnownResourceStates.NotStarted
        || (_scaledDown.ContainsKey(replicaId) && state is not null && (state == KnownResourceStates.Finished || state == KnownResourceStates.Exited));

    /// <summary>
    /// Starts or stops replicas until <paramref name="target"/> are active, then tells
    /// <paramref name="scaled"/> how many are, all under this pool's lock: of two commands at
    /// once, each takes effect, the second from where the first left the pool, and what the
    /// page is told is the last one's. Replicas are taken in a fixed order, so scaling down
    /// stops the ones scaling up started last.
    /// </summary>
    public async Task<int> ScaleAsync(ReplicaTarget target, ReplicaCommand run, Action<int> scaled, ILogger logger, CancellationToken cancellationToken)
    {
        await _allDeclared.Task.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        await _scaling.WaitAsync(cancellationToken);
        try
        {
            var ordered = _replicas.Keys.Order(StringComparer.Ordinal).ToList();
            var active = ordered.Where(id => IsActive(_replicas[id])).ToList();
            var idle = ordered.Except(active).ToList();
            var replicas = target.From(active.Count);
            if (replicas < 1 || replicas > Max)
            {
                throw new InvalidOperationException($"{Service} runs {active.Count} replicas; it can run 1 to {Max}.");
            }

            var changes = replicas > active.Count
                ? idle.Take(replicas - active.Count).Select(id => (Id: id, Command: KnownResourceCommands.StartCommand))
                : active.AsEnumerable().Reverse().Take(active.Count - replicas).Select(id => (Id: id, Command: KnownResourceCommands.StopCommand));

            // Side by side: stopping a worker waits for its last flush, and ten of them in a row
            // would keep the trainer waiting a minute.
            var results = await Task.WhenAll(changes.Select(async change =>
            {
                // Known before the command runs: its own state changes arrive while it does.
                if (change.Command == KnownResourceCommands.StopCommand)
                {
                    _scaledDown[change.Id] = true;
                }
                else
                {
                    _scaledDown.TryRemove(change.Id, out _);
                }

                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var result = change.Command == KnownResourceCommands.StopCommand
                    ? await StopOnceStarted.ExecuteAsync(async token => await run(change.Id, change.Command, token), cancellationToken)
                    : await run(change.Id, change.Command, cancellationToken);
                logger.LogDebug("{Command} {Replica}: {Success} after {Elapsed}; state now {State}", change.Command, change.Id, result.Success, System.Diagnostics.Stopwatch.GetElapsedTime(started), _replicas.GetValueOrDefault(change.Id));
                if (result.Success)
                {
                    // Known at once, not when the state change comes back: a second command right
                    // after this one must count it.
                    _replicas[change.Id] = change.Command == KnownResourceCommands.StartCommand
                        ? KnownResourceStates.Starting
                        : KnownResourceStates.Finished;
                }
                else
                {
                    logger.LogWarning("Could not {Command} {Replica}: {Error}", change.Command, change.Id, result.Message);
                }

                return result.Success ? null : $"{change.Id}: {result.Message}";
            }));

            if (results.OfType<string>().ToList() is { Count: > 0 } failures)
            {
                throw new InvalidOperationException($"Not every {Service} replica could {(replicas > active.Count ? "start" : "stop")}: {string.Join("; ", failures)}");
            }

            scaled(Active);
            return Active;
        }
        finally
        {
            _scaling.Release();
        }
    }

    // Started, starting or waiting for a dependency; not declared-only, stopped or failed.
    private static bool IsActive(string? state) =>
        state is not null
        && state != KnownResourceStates.NotStarted
        && state != KnownResourceStates.Finished
        && state != KnownResourceStates.Exited
        && state != KnownResourceStates.FailedToStart
        && state != KnownResourceStates.Stopping;
}
