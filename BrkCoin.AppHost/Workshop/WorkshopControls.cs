using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Workshop;

/// <summary>The scalable services' replica pools, their knobs and the live settings, shared by every command.</summary>
public sealed class WorkshopControls(LiveSettings settings) : IDisposable
{
    private readonly Dictionary<string, ReplicaPool> _pools = new(StringComparer.Ordinal);
    private readonly List<WorkshopKnob> _knobs = [];
    // Service → who tells its callers where its replicas answer; only the services called by others.
    private readonly Dictionary<string, ReplicaAnnouncer> _announcers = new(StringComparer.Ordinal);

    public LiveSettings Settings { get; } = settings;

    /// <summary>The dashboard's workshop resource, which carries the commands and shows the shape.</summary>
    public IResourceBuilder<WorkshopResource>? Workshop { get; set; }

    public IReadOnlyDictionary<string, ReplicaPool> Pools => _pools;

    public IReadOnlyList<WorkshopKnob> Knobs => _knobs;

    public ReplicaPool AddPool(string service, int initial, int max, string shapeSetting, string? addressesSetting)
    {
        var pool = new ReplicaPool(service, initial, max, shapeSetting, addressesSetting);
        _pools.Add(service, pool);
        Settings.Set(shapeSetting, initial);
        if (addressesSetting is not null)
        {
            Settings.SetAddresses(addressesSetting, []);
            _announcers.Add(service, new ReplicaAnnouncer(pool, Settings));
        }

        return pool;
    }

    public void AddKnob(WorkshopKnob knob)
    {
        _knobs.Add(knob);
        Settings.Set(knob.Setting, knob.Initial);
    }

    /// <summary>Follows every replica's state until the AppHost stops: which run, and where the called ones answer.</summary>
    public async Task FollowReplicasAsync(ResourceNotificationService notifications, ILogger logger, CancellationToken stopping)
    {
        var announcing = _announcers.Values.Select(announcer => announcer.RunAsync(logger, stopping)).ToList();
        try
        {
            await foreach (var change in notifications.WatchAsync(stopping))
            {
                if (!_pools.TryGetValue(change.Resource.Name, out var pool))
                {
                    continue;
                }

                var state = change.Snapshot.State?.Text;
                try
                {
                    if (_announcers.TryGetValue(pool.Service, out var announcer))
                    {
                        announcer.Observe(change.ResourceId, state, OwnAddress(change.Snapshot));
                    }
                    else
                    {
                        pool.Observe(change.ResourceId, state);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The state is taken; only the file's write failed, and the announcer writes
                    // again. Following must go on: scaling counts on it.
                    logger.LogError(ex, "Writing where {Service}'s replicas answer failed after {Replica} became {State}", pool.Service, change.ResourceId, state);
                }

                // Only when it differs: this update comes back through the same watch.
                if (pool.IsSpare(change.ResourceId, state) is var spare && spare != change.Snapshot.IsHidden)
                {
                    await notifications.PublishUpdateAsync(change.Resource, change.ResourceId, snapshot => snapshot with { IsHidden = spare });
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
        catch (Exception ex)
        {
            // Nothing awaits this loop: what ended it must reach the AppHost's log.
            logger.LogError(ex, "Following the replicas' states stopped; scaling and the workers' replica lists no longer follow them");
        }

        await Task.WhenAll(announcing);
    }

    /// <summary>
    /// A replica's own address (not the proxy's) while it runs: DCP gives each replica its port
    /// through ASPNETCORE_URLS, and the snapshot carries its effective environment. Aspire's health
    /// status is not asked for: it is the proxy's, shared by every replica.
    /// </summary>
    private static Uri? OwnAddress(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running
        && snapshot.EnvironmentVariables.FirstOrDefault(e => e.Name == "ASPNETCORE_URLS")?.Value is { Length: > 0 } urls
        && Uri.TryCreate(urls.Split(';')[0], UriKind.Absolute, out var address)
            ? address
            : null;

    public async Task StartInitialShapeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("BrkCoin.Workshop");
        var commands = services.GetRequiredService<ResourceCommandService>();
        try
        {
            await Task.WhenAll(_pools.Values.Select(pool => ScaleAsync(pool, ReplicaTarget.To(pool.Initial), services, commands.ExecuteCommandAsync, logger, cancellationToken)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "The miner's first shape did not start");
        }
    }

    public Task<int> ScaleAsync(
        ReplicaPool pool, ReplicaTarget target, IServiceProvider services, ResourceCommandService commands, ILogger logger, CancellationToken cancellationToken) =>
        ScaleAsync(pool, target, services, commands.ExecuteCommandAsync, logger, cancellationToken);

    public async Task<int> ScaleAsync(
        ReplicaPool pool, ReplicaTarget target, IServiceProvider services, ReplicaCommand run, ILogger logger, CancellationToken cancellationToken)
    {
        // The page's count is set under the pool's lock, so it follows the commands in the order they ran.
        var active = await pool.ScaleAsync(target, run, scaled => Settings.Set(pool.ShapeSetting, scaled), logger, cancellationToken);
        await PublishAsync(services);
        return active;
    }

    /// <summary>
    /// Back to the shape and knobs the AppHost started with, in one step: every pool to its first
    /// replica count and every knob to its first value, whatever the lesson changed.
    /// </summary>
    public async Task ResetAsync(IServiceProvider services, ResourceCommandService commands, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var knob in _knobs)
        {
            Settings.Set(knob.Setting, knob.Initial);
        }

        await Task.WhenAll(_pools.Values.Select(pool => ScaleAsync(pool, ReplicaTarget.To(pool.Initial), services, commands, logger, cancellationToken)));
        await PublishAsync(services);
    }

    /// <summary>
    /// The shape and every knob in words, as each command answers: "worker ×10 · rng ×5 · hasher ×1
    /// · rng latency 100 ms · rng cap on (one request at a time) · hasher latency 100 ms".
    /// </summary>
    public string Describe() => string.Join(" · ",
    [
        .. _pools.Values.Select(pool => string.Create(CultureInfo.InvariantCulture, $"{pool.Service} ×{Replicas(pool)}")),
        .. _knobs.Select(knob => knob.Describe(Settings)),
    ]);

    private int Replicas(ReplicaPool pool) => Settings.Get(pool.ShapeSetting)?.GetValue<int>() ?? pool.Initial;

    /// <summary>Shows the shape and the knobs as the workshop resource's properties in the dashboard.</summary>
    public async Task PublishAsync(IServiceProvider services)
    {
        if (Workshop is not null)
        {
            await services.GetRequiredService<ResourceNotificationService>()
                .PublishUpdateAsync(Workshop.Resource, snapshot => snapshot with { Properties = Properties() });
        }
    }

    public ImmutableArray<ResourcePropertySnapshot> Properties() =>
    [
        .. _pools.Values.Select(pool => new ResourcePropertySnapshot($"brkcoin.{pool.Service}.replicas",
            string.Create(CultureInfo.InvariantCulture, $"{Replicas(pool)} of at most {pool.Max}"))),
        .. _knobs.Select(knob => knob.Property(Settings)),
    ];

    /// <summary>Removes the live-settings file and lets go of the announcers' probes, once the AppHost has stopped.</summary>
    public void Dispose()
    {
        foreach (var announcer in _announcers.Values)
        {
            announcer.Dispose();
        }

        Settings.Dispose();
    }
}
