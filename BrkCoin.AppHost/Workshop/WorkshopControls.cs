using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Workshop;

/// <summary>The scalable services' replica pools, their knobs and the live settings, shared by every command.</summary>
public sealed class WorkshopControls(LiveSettings settings)
{
    private readonly Dictionary<string, ReplicaPool> _pools = new(StringComparer.Ordinal);
    private readonly List<WorkshopKnob> _knobs = [];
    // Asks a replica that reads healthy whether it answers on its own address yet.
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(1) };
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(30);

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
        }

        return pool;
    }

    public void AddKnob(WorkshopKnob knob)
    {
        _knobs.Add(knob);
        Settings.Set(knob.Setting, knob.Initial);
    }

    public async Task FollowReplicasAsync(ResourceNotificationService notifications, CancellationToken stopping)
    {
        try
        {
            await foreach (var change in notifications.WatchAsync(stopping))
            {
                if (!_pools.TryGetValue(change.Resource.Name, out var pool))
                {
                    continue;
                }

                var address = ServingAddress(change.Snapshot);
                var announced = address is not null && pool.Announces(change.ResourceId, address) ? address : null;
                if (pool.Observe(change.ResourceId, change.Snapshot.State?.Text, announced))
                {
                    Announce(pool);
                }

                if (address is not null && announced is null)
                {
                    _ = AnnounceWhenAnsweringAsync(pool, change.ResourceId, address, stopping);
                }

                // Only when it differs: this update comes back through the same watch.
                if (pool.IsSpare(change.ResourceId, change.Snapshot.State?.Text) is var spare && spare != change.Snapshot.IsHidden)
                {
                    await notifications.PublishUpdateAsync(change.Resource, change.ResourceId, snapshot => snapshot with { IsHidden = spare });
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost is stopping.
        }
    }

    private void Announce(ReplicaPool pool)
    {
        if (pool.AddressesSetting is { } addresses)
        {
            Settings.SetAddresses(addresses, pool.Serving);
        }
    }

    /// <summary>
    /// Announces a replica once it answers on its own address. A replica just started can read
    /// Running and Healthy before it listens there (likely its health is asked through Aspire's
    /// proxy, which any running replica answers): announced then, the workers' first calls to it
    /// were refused (WorkshopCommandTests saw "Connection refused" on the announced port).
    /// </summary>
    private async Task AnnounceWhenAnsweringAsync(ReplicaPool pool, string replicaId, Uri address, CancellationToken stopping)
    {
        var giveUp = System.Diagnostics.Stopwatch.StartNew();
        while (!stopping.IsCancellationRequested && giveUp.Elapsed < AnswerDeadline && pool.StateOf(replicaId) == KnownResourceStates.Running)
        {
            try
            {
                using var response = await _probe.GetAsync(new Uri(address, "/health"), stopping);
                if (response.IsSuccessStatusCode)
                {
                    if (pool.StateOf(replicaId) == KnownResourceStates.Running && pool.Observe(replicaId, KnownResourceStates.Running, address))
                    {
                        Announce(pool);
                    }

                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
            {
                // Not listening yet: ask again shortly.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// A replica's own address (not the proxy's) once it is running and healthy: DCP gives each
    /// replica its port through ASPNETCORE_URLS, and the snapshot carries its effective environment.
    /// </summary>
    private static Uri? ServingAddress(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running
        && snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
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
}
