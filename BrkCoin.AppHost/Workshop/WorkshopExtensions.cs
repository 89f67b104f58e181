using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// The live workshop in run mode: scale worker, rng and hasher and turn rng's and hasher's knobs
/// from the dashboard (or <c>aspire resource workshop &lt;command&gt;</c>), while the page keeps
/// running. In publish mode none of it exists: services get their fixed replica counts.
/// </summary>
public static class WorkshopExtensions
{
    public const string ResourceName = "workshop";

    /// <summary>Starts the workshop controls, or returns null in publish mode.</summary>
    public static WorkshopControls? AddWorkshop(this IDistributedApplicationBuilder builder, MiningSettings mining)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return null;
        }

        var controls = new WorkshopControls(new LiveSettings());
        builder.Services.AddSingleton(controls);

        var workshop = builder.AddResource(new WorkshopResource(ResourceName))
            .ExcludeFromManifest()
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Workshop",
                State = KnownResourceStates.Running,
                Properties = controls.Properties(),
            });
        controls.Workshop = workshop;
        WorkshopCommands.AddReset(workshop, controls);

        // Follows every replica's state, so that scaling knows which are running; the live-settings
        // file goes when the AppHost stops.
        builder.Eventing.Subscribe<BeforeStartEvent>((evt, cancellationToken) =>
        {
            var notifications = evt.Services.GetRequiredService<ResourceNotificationService>();
            var lifetime = evt.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();
            var logger = evt.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BrkCoin.Workshop");
            _ = controls.FollowReplicasAsync(notifications, logger, lifetime.ApplicationStopping);
            lifetime.ApplicationStopped.Register(controls.Dispose);
            return Task.CompletedTask;
        });

        // Once every resource exists, the first shape is started like any later one.
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((evt, cancellationToken) =>
        {
            _ = controls.StartInitialShapeAsync(evt.Services, cancellationToken);
            return Task.CompletedTask;
        });

        return controls;
    }

    /// <summary>
    /// Declares <paramref name="max"/> replicas of which <paramref name="initial"/> start (run
    /// mode, with <paramref name="workshop"/>), or just <paramref name="initial"/> (publish mode).
    /// The live setting <paramref name="shownAs"/> tells the page how many run; where the callers
    /// spread their calls over the replicas themselves, <paramref name="addressesFor"/> tells them
    /// where the running ones serve.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithScalableReplicas(
        this IResourceBuilder<ProjectResource> project, WorkshopControls? workshop, int initial, int max, string shownAs, string? addressesFor = null)
    {
        if (workshop is null)
        {
            return project.WithReplicas(initial);
        }

        var pool = workshop.AddPool(project.Resource.Name, initial, Math.Max(initial, max), shownAs, addressesFor);
        WorkshopCommands.AddScale(workshop.Workshop!, workshop, pool);
        return project
            .WithReplicas(pool.Max)
            .WithExplicitStart()
            .WithCommand("add-replica", "Add a replica", context => WorkshopCommands.ScaleByAsync(workshop, pool, +1, context),
                new CommandOptions { Description = $"Starts one more {pool.Service} replica (at most {pool.Max}).", IconName = "Add" })
            .WithCommand("remove-replica", "Remove a replica", context => WorkshopCommands.ScaleByAsync(workshop, pool, -1, context),
                new CommandOptions { Description = $"Stops one {pool.Service} replica (at least one stays).", IconName = "Subtract" });
    }

    /// <summary>
    /// A latency the trainer sets while the miner runs (<c>set-{name}-latency</c>): the original's
    /// 0.1 s, or none in throughput mode. <paramref name="unit"/> names what one call does.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLatencyKnob(
        this IResourceBuilder<ProjectResource> project, WorkshopControls? workshop, MiningSettings mining, string setting, string unit)
    {
        if (workshop is not null)
        {
            var knob = new LatencyKnob(project.Resource.Name, setting, unit, mining.Throughput ? TimeSpan.Zero : OriginalLatency);
            workshop.AddKnob(knob);
            WorkshopCommands.AddLatencyKnob(workshop.Workshop!, workshop, knob);
        }

        return project;
    }

    /// <summary>The original's one-request-at-a-time cap, which the trainer lifts and restores (lifted in throughput mode).</summary>
    public static IResourceBuilder<ProjectResource> WithConcurrencyCapKnob(
        this IResourceBuilder<ProjectResource> project, WorkshopControls? workshop, MiningSettings mining, string setting)
    {
        if (workshop is not null)
        {
            var knob = new ConcurrencyCapKnob(project.Resource.Name, setting, mining.Throughput ? 0 : 1);
            workshop.AddKnob(knob);
            WorkshopCommands.AddCapKnob(workshop.Workshop!, workshop, knob);
        }

        return project;
    }

    private static readonly TimeSpan OriginalLatency = TimeSpan.FromMilliseconds(100);

    /// <summary>Lets the service follow the trainer's knobs (run mode only).</summary>
    public static IResourceBuilder<ProjectResource> WithLiveSettings(this IResourceBuilder<ProjectResource> project, WorkshopControls? workshop) =>
        workshop is null ? project : project.WithEnvironment("LiveSettings__File", workshop.Settings.FilePath);

    /// <summary>
    /// Waits for <paramref name="dependency"/> in publish mode. In run mode its replicas beyond the
    /// first shape are never started, and Aspire's WaitFor waits for every declared replica, so
    /// the worker relies on its own retry instead (its state says "waiting for rng" meanwhile).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WaitForUnlessScalable(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ProjectResource> dependency, WorkshopControls? workshop) =>
        workshop is null ? project.WaitFor(dependency) : project;
}
