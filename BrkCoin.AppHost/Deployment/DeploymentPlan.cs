namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// The application model reduced to what a deployment target needs: services, their images,
/// replicas, environment and who talks to whom. Compose and Kubernetes are both written from it.
/// </summary>
public sealed record DeploymentPlan(
    IReadOnlyList<DeployedService> Services,
    IReadOnlyDictionary<string, string> Secrets);

/// <summary>One resource of the model as it is deployed.</summary>
/// <param name="Name">Resource name, also the host name the others use.</param>
/// <param name="Image">Container image.</param>
/// <param name="Replicas">Replica count from the model.</param>
/// <param name="Port">Port it listens on inside its container.</param>
/// <param name="IsProject">A .NET service of ours (health endpoints, read-only friendly) rather than Redis.</param>
/// <param name="IsExternal">Reachable from outside (only the web UI).</param>
/// <param name="Environment">Variables exactly as the service reads them.</param>
/// <param name="References">Resources it calls: it joins their networks and their policies admit it.</param>
/// <param name="Entrypoint">Container entrypoint, when the model sets one.</param>
/// <param name="Arguments">Container arguments from the model.</param>
/// <param name="DataPath">Folder kept on a named volume, when the resource has data.</param>
/// <param name="HealthCommand">Command run inside the container to check it is healthy.</param>
/// <param name="RunAsUser">Numeric user the container runs as.</param>
/// <param name="ReadinessPath">Path that says the service may take traffic (projects only).</param>
public sealed record DeployedService(
    string Name,
    string Image,
    int Replicas,
    int Port,
    bool IsProject,
    bool IsExternal,
    IReadOnlyList<EnvironmentVariable> Environment,
    IReadOnlyList<string> References,
    string? Entrypoint,
    IReadOnlyList<string> Arguments,
    string? DataPath,
    IReadOnlyList<string> HealthCommand,
    long RunAsUser,
    string ReadinessPath = "/health")
{
    /// <summary>Secrets any of its variables carry.</summary>
    public IEnumerable<string> SecretsUsed => Environment.SelectMany(v => v.SecretsUsed).Distinct(StringComparer.Ordinal);
}

/// <summary>An environment variable whose value may embed secrets.</summary>
public sealed record EnvironmentVariable(string Name, IReadOnlyList<ValuePart> Parts)
{
    public IEnumerable<string> SecretsUsed => Parts.OfType<SecretPart>().Select(p => p.SecretName);

    /// <summary>The value with each secret written by <paramref name="secret"/>.</summary>
    public string Render(Func<string, string> secret) =>
        string.Concat(Parts.Select(part => part switch
        {
            TextPart text => text.Text,
            SecretPart s => secret(s.SecretName),
            _ => throw new InvalidOperationException($"Unknown value part {part}"),
        }));
}

public abstract record ValuePart;

public sealed record TextPart(string Text) : ValuePart;

/// <summary>A secret, named as the environment variable that carries it (e.g. REDIS_PASSWORD).</summary>
public sealed record SecretPart(string SecretName) : ValuePart;
