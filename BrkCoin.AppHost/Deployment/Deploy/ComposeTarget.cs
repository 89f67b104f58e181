using System.Globalization;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>docker-compose.yaml and .env, brought up as one Compose project.</summary>
public sealed class ComposeTarget(DeploymentSettings settings, string project, DockerEngine engine, string folder, ILogger logger, CancellationToken cancellationToken) : IDeployTarget
{
    private static readonly TimeSpan ComposeTimeout = TimeSpan.FromMinutes(5);
    public string DeploymentFile => ComposeWriter.FileName;

    public string ProjectLabel => $"com.docker.compose.project={project}";

    public string PageAddress => $"http://{engine.PageHost(settings.WebUiAddress)}:{settings.WebUiPort.ToString(CultureInfo.InvariantCulture)}";

    public Task CheckEngineAsync() => engine.CheckAnswersAsync();

    public async Task UpAsync()
    {
        if (settings.Registry.Length > 0)
        {
            // The engine would keep its cached copy of a tag it already has: fetch what was just pushed.
            await ComposeAsync("Pulling the images from the registry", "pull");
        }

        // Compose recreates only what changed; the named volumes (the wallet's) stay.
        await ComposeAsync("Bringing the Compose project up", "up", "-d", "--remove-orphans");
    }

    public Task WaitHealthyAsync(TimeSpan deadline) => DockerEngine.WaitUntilAsync(
        async () =>
        {
            var containers = await engine.ListAsync("Listing the project's containers",
                "ps", "-a", "--filter", $"label={ProjectLabel}", "--format", "{{.Names}}: {{.Status}}");
            // "Up 5 seconds (healthy)"; a container without a health check is "Up 5 seconds".
            return containers.Count == 0
                ? ["no container of the project exists"]
                : [.. containers.Where(c => !(c.Contains(": Up ", StringComparison.Ordinal)
                    && (c.EndsWith("(healthy)", StringComparison.Ordinal) || !c.EndsWith(')'))))];
        },
        deadline,
        "every service healthy",
        $"The project is left as it is so you can look: docker-compose -p {project} ps, docker logs <name>; take it down with destroy.",
        cancellationToken);

    public async Task DownAsync(bool removeVolumes)
    {
        var containers = await engine.ListAsync("Listing the project's containers",
            "ps", "-a", "--filter", $"label={ProjectLabel}", "--format", "{{.ID}} {{.Label \"com.docker.compose.service\"}} {{.Networks}}");
        var networks = await engine.ListAsync("Listing the project's networks", "network", "ls", "-q", "--filter", $"label={ProjectLabel}");
        var volumes = await VolumesAsync();
        if (containers.Count == 0 && networks.Count == 0 && (!removeVolumes || volumes.Count == 0))
        {
            throw new DeployFailedException(
                $"Nothing to remove: no container or network of the Compose project {project} is on the engine at {engine.Where}"
                + (volumes.Count > 0 ? $" (its volumes {string.Join(", ", volumes)} are kept; --Deploy:RemoveVolumes=true removes them)." : ".")
                + " Is it a Swarm stack (--Deploy:Target=swarm), another project (--Deploy:Project) or another engine (DOCKER_HOST)?");
        }

        // "id service net1,net2": stopped callers first, each with its grace, while what they call still answers.
        var byService = containers.Select(line => line.Split(' ', 3)).GroupBy(fields => fields[1], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Ids: g.Select(fields => fields[0]).ToList(),
                Networks: (IReadOnlyCollection<string>)[.. g.SelectMany(fields => fields.ElementAtOrDefault(2)?.Split(',') ?? []).Select(n => ShutdownOrder.InPlan(n, project))]),
                StringComparer.Ordinal);
        foreach (var round in ShutdownOrder.CallersFirst(byService.ToDictionary(s => s.Key, s => s.Value.Networks, StringComparer.Ordinal)))
        {
            logger.LogInformation("Stopping {Services}, each container with its grace", string.Join(", ", round));
            await engine.StopOneByOneAsync(round.SelectMany(service => byService[service].Ids));
        }

        await engine.RemoveOneByOneAsync(byService.Values.SelectMany(s => s.Ids));
        await ComposeAsync("Taking the Compose project down", removeVolumes ? ["down", "--volumes"] : ["down"]);
        var left = await VolumesAsync();
        if (removeVolumes)
        {
            if (left.Count > 0)
            {
                throw new DeployFailedException($"Removed the project's containers and networks, but its volumes {string.Join(", ", left)} are still there: docker volume rm {string.Join(' ', left)}.");
            }

            logger.LogInformation("Removed the project's containers, networks and volumes ({Volumes}); the wallet is gone.", string.Join(", ", volumes));
        }
        else
        {
            if (left.Count == 0)
            {
                logger.LogInformation("Removed the project's containers and networks; the engine at {Engine} holds no volume of it.", engine.Where);
            }
            else
            {
                logger.LogInformation("Removed the project's containers and networks; kept its volumes (the wallet): {Volumes}. Destroy with --Deploy:RemoveVolumes=true to remove them too.",
                    string.Join(", ", left));
            }
        }
    }

    private Task<List<string>> VolumesAsync() =>
        engine.ListAsync("Listing the project's volumes", "volume", "ls", "-q", "--filter", $"label={ProjectLabel}");

    private Task<string> ComposeAsync(string what, params string[] arguments)
    {
        // docker-compose (v1, Debian's) where it is installed, else the compose plugin of docker.
        var standalone = ExecutableOnPath("docker-compose");
        return engine.Runner.RunCheckedAsync(what,
            standalone ? "docker-compose" : "docker",
            [.. standalone ? [] : new[] { "compose" }, "-p", project, "-f", ComposeWriter.FileName, .. arguments],
            ComposeTimeout, folder);
    }

    public static bool ExecutableOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, name)));
}
