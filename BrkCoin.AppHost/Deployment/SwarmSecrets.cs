namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// How the stack delivers what carries a password: each such variable of a service becomes a
/// Swarm secret, mounted as a file named after the variable in <c>/run/secrets</c>, instead of an
/// environment variable that <c>docker service inspect</c> and <c>docker inspect</c> print on any
/// manager. The .NET services read that folder as settings (ServiceDefaults' AddSecretFiles); a
/// command run under <c>sh -c</c> reads the variables it names from their files before it runs.
/// </summary>
public static class SwarmSecrets
{
    public const string Folder = "/run/secrets";

    /// <summary>Where the publish step writes each secret's content, beside the stack file.</summary>
    public const string FilesFolder = "secrets";

    public static bool IsSecret(EnvironmentVariable variable) => variable.SecretsUsed.Any();

    /// <summary>The stack's name for one service's secret variable (Swarm prefixes it with the stack's).</summary>
    public static string NameOf(DeployedService service, EnvironmentVariable variable) => $"{service.Name}_{variable.Name}";

    /// <summary>Every secret of the plan and its content, by name.</summary>
    public static SortedDictionary<string, string> Contents(DeploymentPlan plan) =>
        new(plan.Services
            .SelectMany(service => service.Environment.Where(IsSecret).Select(variable => (service, variable)))
            .ToDictionary(p => NameOf(p.service, p.variable), p => p.variable.Render(secret => plan.Secrets[secret])),
            StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="command"/> with the service's secret variables it names read from their files
    /// first, when it runs under a shell (<c>sh -c script</c>, or <c>-c script</c> after a shell
    /// entrypoint); any other command is returned as it is.
    /// </summary>
    public static IReadOnlyList<string> ReadingSecrets(DeployedService service, IReadOnlyList<string> command)
    {
        var script = command.Count - 1;
        if (script < 1 || command[script - 1] != "-c")
        {
            return command;
        }

        var loads = service.Environment.Where(IsSecret)
            .Where(v => command[script].Contains($"${v.Name}", StringComparison.Ordinal) || command[script].Contains($"${{{v.Name}}}", StringComparison.Ordinal))
            // A shell variable, not exported: the script hands it on itself (a here-document,
            // REDISCLI_AUTH=…), so it stays out of the environment of what the script execs.
            .Select(v => $"{v.Name}=\"$(cat {Folder}/{v.Name})\" && ");
        return [.. command.Take(script), string.Concat(loads) + command[script]];
    }
}
