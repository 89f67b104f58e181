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

    // Above this a unit of work would outlast the worker's 10 s call timeout.
    private const int MaxLatencyMilliseconds = 5_000;

    /// <summary>"scale-worker", "scale-rng", "scale-hasher": one per scalable service, added with its pool.</summary>
    public static void AddScale(IResourceBuilder<WorkshopResource> workshop, WorkshopControls controls, ReplicaPool pool) =>
        workshop.WithCommand($"scale-{pool.Service}", $"Scale {pool.Service}",
            context => ScaleToAsync(controls, pool, context),
            new CommandOptions
            {
                Description = $"Runs this many {pool.Service} replicas, 1 to {pool.Max}.",
                IconName = "ArrowAutofitWidth",
                Arguments = [Number(ReplicasArgument, $"{pool.Service} replicas (1–{pool.Max})")],
            });

    /// <summary>"set-rng-latency", "set-hasher-latency": the simulated cost the original hard-codes as 0.1 s.</summary>
    public static void AddLatencyKnob(IResourceBuilder<WorkshopResource> workshop, WorkshopControls controls, LatencyKnob knob) =>
        workshop.WithCommand($"set-{knob.Service}-latency", $"Set {knob.Service} latency",
            context => SetLatencyAsync(controls, context, knob),
            new CommandOptions
            {
                Description = $"Time {knob.Service} spends on each {knob.Unit} (the original: 100 ms).",
                IconName = "Timer",
                Arguments = [Number(MillisecondsArgument, $"{knob.Service} latency in ms (0–{MaxLatencyMilliseconds})")],
            });

    /// <summary>"toggle-rng-cap": lifts or restores the original's one-request-at-a-time limit.</summary>
    public static void AddCapKnob(IResourceBuilder<WorkshopResource> workshop, WorkshopControls controls, ConcurrencyCapKnob knob) =>
        workshop.WithCommand($"toggle-{knob.Service}-cap", $"Toggle {knob.Service}'s one-at-a-time cap",
            async context =>
            {
                var lifted = knob.Current(controls.Settings) != 0;
                controls.Settings.Set(knob.Setting, lifted ? 0 : 1);
                await controls.PublishAsync(context.Services);
                return CommandResults.Success(lifted
                    ? $"{knob.Service} now serves every request at once."
                    : $"{knob.Service} serves one request at a time again, as the original.");
            },
            new CommandOptions { Description = $"Lifts or restores {knob.Service}'s one-request-at-a-time limit.", IconName = "LockOpen" });

    /// <summary>One replica more or fewer, from the service's own row in the dashboard.</summary>
    public static async Task<ExecuteCommandResult> ScaleByAsync(WorkshopControls controls, ReplicaPool pool, int step, ExecuteCommandContext context)
    {
        var target = pool.Active + step;
        if (target < 1 || target > pool.Max)
        {
            return CommandResults.Failure($"{pool.Service} runs {pool.Active} replicas; it can run 1 to {pool.Max}.");
        }

        return await ScaleAsync(controls, pool, target, context);
    }

    private static async Task<ExecuteCommandResult> ScaleToAsync(WorkshopControls controls, ReplicaPool pool, ExecuteCommandContext context)
    {
        if (ReadInteger(context, ReplicasArgument) is not { } target || target < 1 || target > pool.Max)
        {
            return CommandResults.Failure($"Give {pool.Service} a whole number of replicas from 1 to {pool.Max}.");
        }

        return await ScaleAsync(controls, pool, target, context);
    }

    private static async Task<ExecuteCommandResult> ScaleAsync(WorkshopControls controls, ReplicaPool pool, int target, ExecuteCommandContext context)
    {
        var services = context.Services;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("BrkCoin.Workshop");
        try
        {
            var active = await controls.ScaleAsync(pool, target, services, services.GetRequiredService<ResourceCommandService>(), logger, context.CancellationToken);
            logger.LogInformation("{Service} now runs {Replicas} replicas", pool.Service, active);
            return CommandResults.Success($"{pool.Service}: {active} replicas.");
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
        return CommandResults.Success($"Latency set to {ms} ms.");
    }

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
}
