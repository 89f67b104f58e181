using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BrkCoin.Worker.Mining;

/// <summary>
/// /health says "unhealthy" while rng or hasher refuses this worker's requests: mining has
/// stopped and only a change of settings restarts it. Not part of /alive: restarting the worker
/// would change nothing.
/// </summary>
public sealed class MiningHealthCheck(WorkerStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(status.Refusal is { } refusal
            ? HealthCheckResult.Unhealthy(refusal)
            : HealthCheckResult.Healthy());
}
