using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// The workshop resource's commands: each lesson of the original's workshop as one click in the
/// dashboard, or <c>aspire resource workshop &lt;command&gt; [value]</c>.
/// </summary>
public static class WorkshopCommands
{
    private const string ReplicasArgument = "replicas";
    private const string MillisecondsArgument = "milliseconds";
    private const string CapArgument = "cap";

    // Above this a unit of work would outlast the worker's 10 s call timeout.
    private const int MaxLatencyMilliseconds = 5_000;

    /// <summary>"scale-worker", "scale-rng", "scale-hasher": one per scalable service, added with its pool.</summary>
    public static void AddScale(IResourceBuilder<WorkshopResource> workshop, WorkshopControls controls, ReplicaPool pool) =>
        AddLesson(workshop, $"scale-{pool.Service}", $"Scale {pool.Service}",
            $"Runs this many {pool.Service} replicas, 1 to {pool.Max}.", "ArrowAutofitWidth",
            Number(ReplicasArgument, $"{pool.Service} replicas (1–{pool.Max})"),
            context => ScaleToAsync(controls, pool, context));

    /// <summary>"set-rng-latency", "set-hasher-latency": the simulated cost the original hard-codes as 0.1 s.</summary>
    public static void AddLatencyKnob(IResourceBuilder<WorkshopResource> workshop, WorkshopControls controls, LatencyKnob knob) =>
        AddLesson(workshop, $"set-{knob.Service}-latency", $"Set {knob.Service} latency",
            $"Time {knob.Service} spends on each {knob.Unit} (the original: 100 ms).", "Timer",
            Number(MillisecondsArgument, $"{knob.Service} latency in ms (0–{MaxLatencyMilliseconds})"),
            context => SetLatencyAsync(controls, context, knob));

    /// <summary>
    /// "set-rng-cap": puts the original's one-request-at-a-time limit on or takes it off. Set, not
    /// toggled, so a trainer never has to remember which way it last went.
    /// </summary>
    public static void AddCapKnob(IResourceBuilder<WorkshopResource> workshop, WorkshopControls controls, ConcurrencyCapKnob knob) =>
        AddLesson(workshop, $"set-{knob.Service}-cap", $"Set {knob.Service}'s one-at-a-time cap",
            $"{ConcurrencyCapKnob.On}: {knob.Service} serves one request at a time, as the original; {ConcurrencyCapKnob.Off}: every request at once.", "LockOpen",
            new InteractionInput
            {
                Name = CapArgument,
                Label = $"{knob.Service}'s cap ({ConcurrencyCapKnob.On} or {ConcurrencyCapKnob.Off})",
                InputType = InputType.Choice,
                Options = [new(ConcurrencyCapKnob.On, $"{ConcurrencyCapKnob.On}: one request at a time"), new(ConcurrencyCapKnob.Off, $"{ConcurrencyCapKnob.Off}: every request at once")],
                Required = true,
            },
            context => SetCapAsync(controls, context, knob));

    /// <summary>A lesson the trainer gives with one value: the command, its one input, and what it does.</summary>
    private static void AddLesson(
        IResourceBuilder<WorkshopResource> workshop, string name, string displayName, string description, string icon,
        InteractionInput input, Func<ExecuteCommandContext, Task<ExecuteCommandResult>> execute) =>
        workshop.WithCommand(name, displayName, execute,
            new CommandOptions { Description = description, IconName = icon, Arguments = [input] });

    /// <summary>"reset": the first shape and knobs again, whatever the lesson changed.</summary>
    public static void AddReset(IResourceBuilder<WorkshopResource> workshop, WorkshopControls controls) =>
        workshop.WithCommand("reset", "Reset to the start",
            async context =>
            {
                var services = context.Services;
                var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("BrkCoin.Workshop");
                try
                {
                    await controls.ResetAsync(services, services.GetRequiredService<ResourceCommandService>(), logger, context.CancellationToken);
                    return Answer(controls, "Back to the start");
                }
                catch (InvalidOperationException ex)
                {
                    return CommandResults.Failure(ex.Message);
                }
            },
            new CommandOptions { Description = "Returns every service to the replicas and settings the miner started with.", IconName = "ArrowReset" });

    /// <summary>One replica more or fewer, from the service's own row in the dashboard.</summary>
    public static Task<ExecuteCommandResult> ScaleByAsync(WorkshopControls controls, ReplicaPool pool, int step, ExecuteCommandContext context) =>
        ScaleAsync(controls, pool, ReplicaTarget.By(step), context);

    private static async Task<ExecuteCommandResult> ScaleToAsync(WorkshopControls controls, ReplicaPool pool, ExecuteCommandContext context)
    {
        if (ReadInteger(context, ReplicasArgument) is not { } target || target < 1 || target > pool.Max)
        {
            return CommandResults.Failure($"Give {pool.Service} a whole number of replicas from 1 to {pool.Max}.");
        }

        return await ScaleAsync(controls, pool, ReplicaTarget.To(target), context);
    }

    private static async Task<ExecuteCommandResult> ScaleAsync(WorkshopControls controls, ReplicaPool pool, ReplicaTarget target, ExecuteCommandContext context)
    {
        var services = context.Services;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("BrkCoin.Workshop");
        try
        {
            var active = await controls.ScaleAsync(pool, target, services, services.GetRequiredService<ResourceCommandService>(), logger, context.CancellationToken);
            logger.LogInformation("{Service} now runs {Replicas} replicas", pool.Service, active);
            return Answer(controls, $"{pool.Service}: {active} replicas");
        }
        catch (InvalidOperationException ex)
        {
            return CommandResults.Failure(ex.Message);
        }
    }

    private static async Task<ExecuteCommandResult> SetLatencyAsync(WorkshopControls controls, ExecuteCommandContext context, LatencyKnob knob)
    {
        if (ReadInteger(context, MillisecondsArgument) is not { } ms || ms < 0 || ms > MaxLatencyMilliseconds)
        {
            return CommandResults.Failure($"Give a latency in whole milliseconds from 0 to {MaxLatencyMilliseconds}.");
        }

        controls.Settings.Set(knob.Setting, LatencyKnob.Format(TimeSpan.FromMilliseconds(ms)));
        await controls.PublishAsync(context.Services);
        return Answer(controls, knob.Describe(controls.Settings));
    }

    private static async Task<ExecuteCommandResult> SetCapAsync(WorkshopControls controls, ExecuteCommandContext context, ConcurrencyCapKnob knob)
    {
        if (ConcurrencyCapKnob.Parse(ReadText(context, CapArgument)) is not { } cap)
        {
            return CommandResults.Failure($"Give the cap as {ConcurrencyCapKnob.On} (one request at a time, as the original) or {ConcurrencyCapKnob.Off} (every request at once).");
        }

        controls.Settings.Set(knob.Setting, cap);
        await controls.PublishAsync(context.Services);
        return Answer(controls, knob.Describe(controls.Settings));
    }

    // Every command says what it did and then the whole state, so a trainer reading the terminal
    // or the dashboard's toast never has to check where things stand.
    private static ExecuteCommandResult Answer(WorkshopControls controls, string done) =>
        CommandResults.Success($"{done}. Now: {controls.Describe()}.");

    private static InteractionInput Number(string name, string label) => new()
    {
        Name = name,
        Label = label,
        InputType = InputType.Number,
        Required = true,
    };

    private static int? ReadInteger(ExecuteCommandContext context, string name) =>
        context.Arguments is { } arguments
        && arguments.TryGetByName(name, out var input)
        && int.TryParse(input.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static string? ReadText(ExecuteCommandContext context, string name) =>
        context.Arguments is { } arguments && arguments.TryGetByName(name, out var input) ? input.Value : null;
}
