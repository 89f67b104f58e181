using System.Diagnostics;
using BrkCoin.Mining;
using BrkCoin.Worker.Clients;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace BrkCoin.Worker.Mining;

/// <summary>One unit of work of the original: pause, draw bytes from rng, hash them, keep a coin.</summary>
public sealed class MiningLoop(
    IRngClient rng,
    IHasherClient hasher,
    IWallet wallet,
    HashCounter counter,
    MinerMetrics metrics,
    CallTimings timings,
    ResiliencePipelineProvider<string> pipelines,
    WorkerStatus status,
    IOptions<WorkerOptions> options,
    ILogger<MiningLoop> logger)
{
    private readonly ResiliencePipeline _retry = pipelines.GetPipeline(MiningRetry.PipelineName);

    // The last coin this loop found, while the wallet stores it. The loop mines on meanwhile: the
    // wallet answers a write only once it is on disk, and a durable write (in throughput mode the
    // embedded wallet's group commit, every few milliseconds) is slower than a unit, so waiting
    // for each coin kept every loop idle for it. One store at a time per loop: the next coin waits
    // for the last, so a wallet that is away still holds the loop up, as before.
    // Its "store coin" span may end after the unit's "mine unit" span, which it still belongs to.
    private Task _storing = Task.CompletedTask;

    /// <summary>Mines until <paramref name="stopping"/> fires.</summary>
    /// <param name="stopping">Ends the loop between steps.</param>
    /// <param name="grace">Fires a little after <paramref name="stopping"/>: a coin already found is still stored until then.</param>
    public async Task RunAsync(CancellationToken stopping, CancellationToken grace)
    {
        try
        {
            await MineUntilStoppedAsync(stopping, grace);
        }
        finally
        {
            await CoinsStoredAsync();
        }
    }

    /// <summary>
    /// Completes once the coin this loop found last is in the wallet and its unit counted (or its
    /// store failed, with that error).
    /// </summary>
    public Task CoinsStoredAsync() => _storing;

    private async Task MineUntilStoppedAsync(CancellationToken stopping, CancellationToken grace)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await MineOneUnitAsync(stopping, grace);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (HttpRequestException refused) when (MiningRetry.IsPermanent(refused))
            {
                // Retrying at once would only repeat the refusal (and spin with RetryDelay 0):
                // say it, show it in /health and on the page, and ask again only now and then, so
                // that fixing the other side's settings resumes mining without a restart.
                logger.LogError("Mining is held up, this will not fix itself: {Problem}", status.Refusal);
                try
                {
                    await Task.Delay(options.Value.MaxRetryDelay, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Does one unit of work; it counts only once the hash is computed and any coin is stored. A
    /// coin's store goes on after this returns (see <see cref="CoinsStoredAsync"/>).
    /// </summary>
    public async Task MineOneUnitAsync(CancellationToken stopping, CancellationToken grace)
    {
        var settings = options.Value;
        var started = Stopwatch.GetTimestamp();
        using var activity = MinerMetrics.ActivitySource.StartActivity("mine unit");

        if (settings.Pause > TimeSpan.Zero)
        {
            await Task.Delay(settings.Pause, stopping);
        }

        // Two steps, each retried on its own: a hasher failure retries the hash of the same bytes
        // rather than drawing new ones from rng, the workshop's bottleneck. Bytes once drawn are
        // not thrown away by a stop either: their hash may finish within the grace period.
        var randomBytes = await RetryStepAsync(
            "rng",
            async token =>
            {
                var asked = Stopwatch.GetTimestamp();
                var bytes = await rng.GetRandomBytesAsync(settings.RandomBytes, token);
                timings.Record(CallTimings.Rng, Stopwatch.GetElapsedTime(asked));
                return bytes;
            },
            stopping);
        var hexHash = await RetryStepAsync(
            "hasher",
            async token =>
            {
                var asked = Stopwatch.GetTimestamp();
                var hash = await hasher.HashAsync(randomBytes, token);
                timings.Record(CallTimings.Hasher, Stopwatch.GetElapsedTime(asked));
                // hasher is trusted for the 15 in 16 hashes that are not coins; a coin is checked
                // before it enters the wallet, so every stored coin verifies.
                if (CoinRule.IsCoin(hash) && !CoinRule.Verifies(hash, randomBytes))
                {
                    throw new InvalidDataException($"hasher's answer {hash[..8]}... does not match the bytes sent.");
                }

                return hash;
            },
            grace);

        activity?.SetTag("brkcoin.hash.prefix", hexHash[..8]);

        if (CoinRule.IsCoin(hexHash))
        {
            // The last coin's store must be over first: its failure surfaces here, and no more
            // than one coin per loop is ever in the air.
            try
            {
                await _storing;
            }
            catch (Exception) when (grace.IsCancellationRequested)
            {
                // The grace ended while the last coin was still being stored: this one, found
                // during the stop, is not stored either. Said, so that the audit knows of it.
                logger.LogWarning("A coin found as the worker stopped was not stored, the grace period being over: {Prefix}...", hexHash[..8]);
                throw;
            }

            _storing = StoreCoinAndCountAsync(hexHash, randomBytes, started, grace);
            return;
        }

        CountUnit(started);
    }

    private async Task StoreCoinAndCountAsync(string hexHash, byte[] randomBytes, long started, CancellationToken grace)
    {
        await StoreCoinAsync(hexHash, randomBytes, grace);
        CountUnit(started);
    }

    private void CountUnit(long started)
    {
        counter.Record();
        metrics.UnitDone(Stopwatch.GetElapsedTime(started));
    }

    private async Task StoreCoinAsync(string hexHash, byte[] randomBytes, CancellationToken grace)
    {
        using var activity = MinerMetrics.ActivitySource.StartActivity("store coin");
        var isNew = await RetryStepAsync("the wallet", async _ => await wallet.StoreCoinAsync(hexHash, randomBytes), grace);

        metrics.CoinFound(isNew);
        if (isNew)
        {
            // Logged after Redis acknowledged it, in full: whoever audits the wallet can check
            // that every coin a worker announced is still there.
            logger.LogInformation("Coin found: {Hash}", hexHash);
        }
        else
        {
            logger.LogInformation("We already had that coin: {Prefix}...", hexHash[..8]);
        }
    }

    // One step under the mining retry, named so that the worker's status can say what it waits for.
    private async Task<T> RetryStepAsync<T>(string step, Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(MiningRetry.Step, step);
        try
        {
            var result = await _retry.ExecuteAsync(static async (context, state) => await state(context.CancellationToken), context, action);
            status.Succeeded(step);
            return result;
        }
        catch (HttpRequestException refused) when (MiningRetry.IsPermanent(refused))
        {
            status.Refused(step, refused.Message);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
