using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>
/// What <c>aspire deploy</c> brought up, written beside its files (<see cref="FileName"/>) so that
/// <c>aspire destroy</c> takes down what was deployed, not what today's settings would deploy: a
/// Swarm stack destroyed without <c>--Deploy:Target=swarm</c>, or from a shell without the
/// DOCKER_HOST it was deployed with, is still found.
/// </summary>
/// <param name="Target">"compose" or "swarm".</param>
/// <param name="Project">The Compose project or Swarm stack.</param>
/// <param name="Engine">DOCKER_HOST as deploy saw it; empty for the default socket.</param>
public sealed record DeploymentRecord(string Target, string Project, string Engine)
{
    public const string FileName = "deployed.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>What a deploy with these settings, from this shell, brings up.</summary>
    public static DeploymentRecord Of(DeploymentSettings settings, string? dockerHost) =>
        new(settings.Target, settings.Project, dockerHost ?? string.Empty);

    public async Task WriteAsync(string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json), cancellationToken);
    }

    /// <summary>The record in <paramref name="folder"/>, or null when nothing was deployed from it.</summary>
    public static DeploymentRecord? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize<DeploymentRecord>(File.ReadAllText(path), Json)
                ?? throw new JsonException("it is empty");
            // The same rules as the settings it was made from: a hand-edited record is refused, not run.
            SettingsSection.Validate(new DeploymentSettings { Target = record.Target, Project = record.Project });
            return record;
        }
        catch (Exception ex) when (ex is JsonException or ValidationException)
        {
            throw new DeployFailedException(
                $"{path} is not a record deploy wrote ({ex.Message}); fix or delete it, and give --Deploy:Target and --Deploy:Project.");
        }
    }

    /// <summary>
    /// What destroy takes down: the record's target, project and engine, except where the user
    /// names one explicitly (a <c>Deploy:Target</c> or <c>Deploy:Project</c> setting, or
    /// DOCKER_HOST); without a record, the settings.
    /// </summary>
    public static DeploymentRecord ForDestroy(DeploymentRecord? recorded, DeploymentSettings settings, IConfiguration configuration, string? dockerHost)
    {
        bool Given(string name) => configuration.GetSection($"{DeploymentSettings.Section}:{name}").Value is not null;
        return new DeploymentRecord(
            recorded is null || Given(nameof(DeploymentSettings.Target)) ? settings.Target : recorded.Target,
            recorded is null || Given(nameof(DeploymentSettings.Project)) ? settings.Project : recorded.Project,
            dockerHost is { Length: > 0 } || recorded is null ? dockerHost ?? string.Empty : recorded.Engine);
    }
}
