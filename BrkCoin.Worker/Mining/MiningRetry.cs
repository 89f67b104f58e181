using Polly;
using Polly.Retry;

namespace BrkCoin.Worker.Mining;

/// <summary>
/// The retry every mining step runs under: exponential backoff with jitter, without limit, until
/// the step succeeds or the worker stops. It is the only retry around an rng or hasher call (their
/// clients go without the standard resilience handler), so its first wait is Worker:RetryDelay,
/// and it outlasts longer outages (rng, hasher or Redis restarting).
/// </summary>
public static class MiningRetry
{
    public const string PipelineName = "mining";

    /// <summary>Names the step a retry is for (rng, hasher, wallet), for the worker's status.</summary>
    public static readonly ResiliencePropertyKey<string> Step = new("brkcoin.step");

    /// <summary>
    /// A 4xx answer (but 408 and 429, which say "later"): rng or hasher will refuse the same
    /// request every time, as when Worker:RandomBytes exceeds Rng:MaxBytes or Hasher:MaxBodyBytes.
    /// </summary>
    public static bool IsPermanent(Exception error) =>
        error is HttpRequestException { StatusCode: { } status }
        && (int)status is >= 400 and < 500
        && status is not System.Net.HttpStatusCode.RequestTimeout and not System.Net.HttpStatusCode.TooManyRequests;

    public static ResiliencePipelineBuilder AddMiningRetry(
        this ResiliencePipelineBuilder pipeline, WorkerOptions options, ILogger logger, WorkerStatus status) =>
        pipeline.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            MaxDelay = options.MaxRetryDelay,
            // Any failure is worth another try, except the cancellation that means "stop" and a
            // refusal that the same request will always get.
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } error && !IsPermanent(error) && !args.Context.CancellationToken.IsCancellationRequested),
            OnRetry = args =>
            {
                if (args.Context.Properties.TryGetValue(Step, out var step))
                {
                    if (args.Outcome.Exception is WalletFullException full)
                    {
                        status.WalletFull(step, args.RetryDelay, full.Message);
                    }
                    else
                    {
                        status.Failing(step, args.RetryDelay, args.Outcome.Exception?.Message ?? "failed");
                    }
                }

                logger.LogWarning(
                    "Mining step failed (attempt {Attempt}), retrying in {Delay}: {Reason}",
                    args.AttemptNumber + 1,
                    args.RetryDelay,
                    args.Outcome.Exception?.Message);
                return ValueTask.CompletedTask;
            },
        });
}
