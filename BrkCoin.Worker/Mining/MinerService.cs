using Microsoft.Extensions.Options;
using Polly.Registry;

namespace BrkCoin.Worker.Mining;

/// <summary>
/// Runs <see cref="WorkerOptions.Loops"/> mining loops and flushes the hash counter about every
/// second; on shutdown it lets loops finish storing a found coin and flushes what is pending.
/// </summary>
public sealed class MinerService(
    IServiceProvider services,
    HashCounter counter,
    ResiliencePipelineProvider<string> pipelines,
    IOptions<WorkerOptions> options,
    ILogger<MinerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var grace = new CancellationTokenSource();
        using var graceOnStop = stoppingToken.Register(() => grace.CancelAfter(settings.ShutdownGrace));

        // Task.Run: each loop gets a thread-pool start of its own, so a loop whose steps complete
        // synchronously can never starve the others or the counter flush.
        var loops = Enumerable.Range(0, settings.Loops)
            .Select(_ => Task.Run(() => services.GetRequiredService<MiningLoop>().RunAsync(stoppingToken, grace.Token), CancellationToken.None))
            .ToList();
        logger.LogInformation("Mining with {Loops} loop(s)", settings.Loops);

        await FlushPeriodicallyAsync(settings.CounterInterval, stoppingToken);
        try
        {
            // Bounded by the grace: a coin store whose Redis call hangs must not hold back the
            // final flush and the audit line. Its unit was not recorded, so the audit stays exact.
            await Task.WhenAll(loops).WaitAsync(grace.Token);
        }
        catch (Exception ex) when (stoppingToken.IsCancellationRequested)
        {
            // A loop caught mid-call by the stop (rng, hasher or Redis failing as everything
            // shuts down) must not cost the units the others already did.
            logger.LogWarning("A mining loop ended with an error while stopping: {Reason}", ex.Message);
        }
        finally
        {
            // A grace of its own: a coin store that used up the loops' grace must not leave the
            // final flush with none.
            using var flushGrace = new CancellationTokenSource(settings.ShutdownGrace);
            await FinalFlushAsync(flushGrace.Token);
            // The figure an audit compares with `hashes`: every unit done, and how many of them
            // did not make it into the counter (zero unless Redis stayed away past the grace period).
            // FinalFlushAsync never throws, so this line is written however the flush ended.
            logger.LogInformation("Stopped after {Units} units of work; {Pending} not added to the hash counter", counter.Recorded, counter.Pending);
        }
    }

    private async Task FlushPeriodicallyAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // A flush still waiting on Redis when the stop comes is left to itself: it
                    // keeps the counter's flush lock, so the final flush cannot overtake it, and
                    // its batch stays pending until Redis answers.
                    await counter.FlushAsync().WaitAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    // The units stay pending and go with the next flush.
                    logger.LogWarning("Could not update the hash counter, keeping {Pending} units: {Reason}", counter.Pending, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task FinalFlushAsync(CancellationToken grace)
    {
        try
        {
            // A flush after a failed one sends only the batch that failed, unchanged (the wallet
            // applies each batch once by its number); the units done since wait for the next. So
            // flush, each time under the retry, until nothing is pending: the loops have ended,
            // nothing new comes in, and every flush that succeeds leaves less.
            var retry = pipelines.GetPipeline(MiningRetry.PipelineName);
            do
            {
                // An attempt that outlasts the grace is abandoned, not awaited: the wallet's
                // calls take no token, and a hung one would keep the worker from its audit line.
                await retry.ExecuteAsync(async token => await counter.FlushAsync(token).WaitAsync(token), grace);
            }
            while (counter.Pending > 0);
        }
        catch (Exception ex)
        {
            // Whatever ended the last attempt: the grace, a Redis timeout that lands as the grace
            // ends (the retry gives up on any error once the grace is over), or a refusal.
            if (ex is not OperationCanceledException)
            {
                logger.LogWarning("The last flush failed: {Reason}", ex.Message);
            }

            logger.LogError("Stopped with {Pending} units not added to the hash counter", counter.Pending);
        }
    }
}
