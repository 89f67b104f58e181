using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;

namespace BrkCoin.Worker.Mining;

public static class MiningServiceCollectionExtensions
{
    /// <summary>
    /// Registers the mining loop and what it needs besides its three ends (rng, hasher, wallet):
    /// the retry pipeline, the hash counter, the metrics and the background service.
    /// </summary>
    public static IServiceCollection AddMiningLoop(this IServiceCollection services)
    {
        services.AddResiliencePipeline(MiningRetry.PipelineName, (pipeline, context) =>
            pipeline.AddMiningRetry(
                context.ServiceProvider.GetRequiredService<IOptions<WorkerOptions>>().Value,
                context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MiningRetry)),
                context.ServiceProvider.GetRequiredService<WorkerStatus>()));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WorkerStatus>();

        services.AddSingleton<HashCounter>();
        services.AddSingleton<MinerMetrics>();
        services.AddSingleton<CallTimings>();
        services.AddTransient<MiningLoop>();
        services.AddHostedService<MinerService>();
        return services;
    }
}
