using Microsoft.Extensions.Options;

namespace BrkCoin.Worker;

/// <summary>
/// Checks what each setting's own range cannot: how the worker's settings relate to each other
/// and to the host's stop budget, so a misfit stops the worker at start with a message instead of
/// losing counts at its first stop.
/// </summary>
public sealed class WorkerOptionsRelations(IOptions<HostOptions> host) : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var failures = new List<string>();
        if (options.RetryDelay > options.MaxRetryDelay)
        {
            failures.Add($"Worker:RetryDelay ({options.RetryDelay}) is longer than Worker:MaxRetryDelay ({options.MaxRetryDelay}).");
        }

        // The coin store and then the final flush, each with a grace of its own, run inside the
        // host's stop budget; past it the host abandons them and the pending count is lost.
        var budget = host.Value.ShutdownTimeout;
        if (options.ShutdownGrace * 2 >= budget)
        {
            failures.Add($"Twice Worker:ShutdownGrace ({options.ShutdownGrace}) must be shorter than the host's shutdown timeout ({budget}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
