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
    // Replica and address being probed, so the state changes of one start (several arrive) ask once.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Replica, Uri Address), bool> _probing = new();
    // A replica that has not answered by then is worth a warning in the AppHost's log, not giving up on.
    private static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(30);

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

    public async Task FollowReplicasAsync(ResourceNotificationService notifications, ILogger logger, CancellationToken stopping)
    {
        try
        {
            await foreach (var change in notifications.WatchAsync(stopping))
            {
                if (!_pools.TryGetValue(change.Resource.Name, out var pool))
                {
                    continue;
                }

                // Only callees are announced: no one calls a worker, so its address is not asked for.
                var address = pool.AddressesSetting is null ? null : ServingAddress(change.Snapshot);
                var announced = address is not null && pool.Announces(change.ResourceId, address) ? address : null;
                if (pool.Observe(change.ResourceId, change.Snapshot.State?.Text, announced))
                {
                    Announce(pool);
                }

                if (address is not null && announced is null && _probing.TryAdd((change.ResourceId, address), true))
                {
                    _ = AnnounceWhenAnsweringAsync(pool, change.ResourceId, address, logger, stopping);
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
    /// Announces a replica once it answers /health on its own address, asking every 200 ms for as
    /// long as it is running. Aspire's Running and Healthy are no proof: its health check goes
    /// through the proxy, which any running replica answers, so a replica just started read
    /// healthy while refusing connections on its own port (WorkshopCommandTests saw "Connection
    /// refused" there). An earlier form gave up after 30 s, and no later state change came to ask
    /// again: on a slow CI machine five rng stayed one for the workers (LessonBrowserTests).
    /// </summary>
    private async Task AnnounceWhenAnsweringAsync(ReplicaPool pool, string replicaId, Uri address, ILogger logger, CancellationToken stopping)
    {
        var asking = System.Diagnostics.Stopwatch.StartNew();
        var warned = false;
        try
        {
            while (!stopping.IsCancellationRequested && pool.StateOf(replicaId) == KnownResourceStates.Running)
            {
                if (await AnswersAsync(address, stopping))
                {
                    if (pool.StateOf(replicaId) == KnownResourceStates.Running && pool.Observe(replicaId, KnownResourceStates.Running, address))
                    {
                        Announce(pool);
                        logger.LogInformation("{Replica} answers at {Address} after {Elapsed:0.0} s: announced to its callers", replicaId, address, asking.Elapsed.TotalSeconds);
                    }

                    return;
                }

                if (!warned && asking.Elapsed > SlowAnswer)
                {
                    warned = true;
                    logger.LogWarning("{Replica} runs but has not answered at {Address} for {Elapsed:0} s; still asking", replicaId, address, asking.Elapsed.TotalSeconds);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
        finally
        {
            _probing.TryRemove((replicaId, address), out _);
        }
    }

    private async Task<bool> AnswersAsync(Uri address, CancellationToken stopping)
    {
        try
        {
            using var response = await _probe.GetAsync(new Uri(address, "/health"), stopping);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
        {
            // Not listening yet, or too busy starting to answer within the probe's second.
            return false;
        }
    }

    /// <summary>
    /// A replica's own address (not the proxy's) once it is running: DCP gives each replica its
    /// port through ASPNETCORE_URLS, and the snapshot carries its effective environment. Aspire's
    /// health status is not asked for: it is the proxy's, shared by every replica, so it neither
    /// proves one replica answers (the probe above does) nor that one stopped answering.
    /// </summary>
    private static Uri? ServingAddress(CustomResourceSnapshot snapshot) =>
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
}
