using System.Globalization;

namespace BrkCoin.AppHost.Launch;

public static class MetricsExportInterval
{
    /// <summary>
    /// Exports the service's metrics every <see cref="MiningSettings.MetricsExportInterval"/>
    /// (run mode). Aspire sets <c>OTEL_METRIC_EXPORT_INTERVAL=1000</c> for every project, so each
    /// replica would collect, encode and send every instrument to the dashboard each second, and
    /// the dashboard would ingest seventeen such batches a second in the workshop's big shape
    /// while the miner makes about thirty hashes. The dashboard's charts read as well at five
    /// seconds. Traces and logs keep Aspire's one-second batches: they are sampled and sparse.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMetricsExportInterval(
        this IResourceBuilder<ProjectResource> project, MiningSettings settings) =>
        // Registered after Aspire's own OTLP callback (added with the project), so it wins.
        project.WithEnvironment(context =>
        {
            if (context.ExecutionContext.IsRunMode)
            {
                context.EnvironmentVariables["OTEL_METRIC_EXPORT_INTERVAL"] =
                    ((long)settings.MetricsExportInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            }
        });
}
