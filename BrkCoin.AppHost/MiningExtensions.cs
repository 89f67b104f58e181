using Microsoft.Extensions.Configuration;
namespace BrkCoin.AppHost;

public static class MiningExtensions
{
    /// <summary>Reads and validates the "Mining" section before the model is built.</summary>
    public static MiningSettings GetMiningSettings(this IDistributedApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetValidated<MiningSettings>(MiningSettings.Section);
        SettingsSection.Validate(settings.Redis);
        return settings;
    }

    /// <summary>
    /// In throughput mode, sets every simulated latency of the service to zero and lifts rng's
    /// one-request-at-a-time cap; otherwise the services keep the original's defaults.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithThroughputMode(
        this IResourceBuilder<ProjectResource> project, MiningSettings settings, params string[] zeroedSettings)
    {
        if (!settings.Throughput)
        {
            return project;
        }

        foreach (var setting in zeroedSettings)
        {
            project.WithThroughputSetting(settings, setting, "0");
        }

        return project;
    }

    /// <summary>Gives the service <paramref name="setting"/> = <paramref name="value"/> in throughput mode only.</summary>
    public static IResourceBuilder<ProjectResource> WithThroughputSetting(
        this IResourceBuilder<ProjectResource> project, MiningSettings settings, string setting, string value) =>
        settings.Throughput
            ? project.WithEnvironment(setting.Replace(":", "__", StringComparison.Ordinal), value)
            : project;
}
