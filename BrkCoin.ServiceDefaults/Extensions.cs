using BrkCoin.Mining;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire service defaults every BrkCoin service shares: OpenTelemetry, health checks,
/// service discovery and the standard HTTP resilience handler.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";
    public const string MetricsEndpointPath = "/metrics";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddSecretFiles();
        builder.AddLiveSettings();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// Where Docker Swarm mounts a service's secrets. The stack file delivers each setting that
    /// carries a password (the Redis connection string) as a secret file named after the setting
    /// (<c>ConnectionStrings__redis</c>), so no password is in the service's environment, where
    /// <c>docker service inspect</c> and <c>docker inspect</c> would print it.
    /// </summary>
    public const string SecretsFolder = "/run/secrets";

    /// <summary>Reads each file in <see cref="SecretsFolder"/> as the setting it is named after, when the folder exists.</summary>
    public static TBuilder AddSecretFiles<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddKeyPerFile(SecretsFolder, optional: true);
        return builder;
    }

    /// <summary>
    /// In run mode the AppHost's workshop commands (rng and hasher latency, rng's cap) rewrite one
    /// JSON file, named by <c>LiveSettings:File</c>. It is added last, so it wins over every other
    /// source, and watched, so options read through <c>IOptionsMonitor</c> follow it within a
    /// second without a restart and without any endpoint to call. Deployment files never set it.
    /// </summary>
    public static TBuilder AddLiveSettings<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (builder.Configuration["LiveSettings:File"] is { Length: > 0 } file)
        {
            builder.Configuration.AddJsonFile(file, optional: true, reloadOnChange: true);
        }

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MinerTelemetry.MeterName))
            .WithTracing(tracing => tracing
                // Telemetry:TracesPerSecond (default 20): every unit of work at the workshop's
                // pace, a steady sample beyond it; 0 records every trace.
                .SetSampler(TraceSampler(builder.Configuration))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(MinerTelemetry.ActivitySourceName)
                // Probes hit these every few seconds; tracing them would bury the mining traces.
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context =>
                    !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                    && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath)
                    && !context.Request.Path.StartsWithSegments(MetricsEndpointPath))
                .AddHttpClientInstrumentation());

        builder.AddOpenTelemetryExporters();

        return builder;
    }

    private static Sampler TraceSampler(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var limit = int.TryParse(configuration["Telemetry:TracesPerSecond"], out var value) ? value : DefaultTracesPerSecond;
        return limit <= 0
            ? new ParentBasedSampler(new AlwaysOnSampler())
            : new ParentBasedSampler(new TracesPerSecondSampler(limit));
    }

    /// <summary>Above a worker's classic pace (~3.3 units a second, 10 with ten loops), below throughput mode's thousands.</summary>
    public const int DefaultTracesPerSecond = 20;

    /// <summary>
    /// <c>Metrics:Prometheus=true</c> (set by the Kubernetes files for rng with <c>Deploy:RngAutoscaler</c>)
    /// serves the metrics at <c>/metrics</c> for Prometheus to scrape: the autoscaler scales rng on
    /// the draws in it, which it reads through prometheus-adapter. Off elsewhere; OTLP to the dashboard is unchanged.
    /// </summary>
    private static bool PrometheusRequested(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        bool.TryParse(configuration["Metrics:Prometheus"], out var on) && on;

    private static TBuilder AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // The AppHost sets this for every project it starts; without it (a bare `dotnet run`)
        // telemetry stays in-process.
        var useOtlpExporter = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (useOtlpExporter)
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        if (PrometheusRequested(builder.Configuration))
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            // "live" is answered by /alive: the process runs. Dependencies belong to /health only,
            // so a slow Redis never gets a healthy process restarted.
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Mapped in every environment: Kubernetes probes and the AppHost both read them, and they
        // say nothing beyond healthy or not.
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
        });

        if (PrometheusRequested(app.Configuration))
        {
            app.MapPrometheusScrapingEndpoint(MetricsEndpointPath);
        }

        return app;
    }
}
