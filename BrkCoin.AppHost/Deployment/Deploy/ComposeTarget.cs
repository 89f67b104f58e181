using System.Globalization;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>docker-compose.yaml and .env, brought up as one Compose project.</summary>
public sealed class ComposeTarget(DeploymentSettings settings, DockerEngine engine, string folder, ILogger logger, CancellationToken cancellationToken) : IDeployTarget
{
    private static readonly TimeSpan ComposeTimeout = TimeSpan.FromMinutes(5);
    public string ProjectLabel => $"com.docker.compose.project={settings.Project}";

    public string PageAddress => $"http://{DockerEngine.PageHost(settings.WebUiAddress)}:{settings.WebUiPort.ToString(CultureInfo.InvariantCulture)}";

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
        $"The project is left as it is so you can look: docker-compose -p {settings.Project} ps, docker logs <name>; take it down with destroy.",
        cancellationToken);

    public async Task DownAsync(bool removeVolumes)
    {
        await engine.RemoveOneByOneAsync(await engine.ListAsync("Listing the project's containers", "ps", "-aq", "--filter", $"label={ProjectLabel}"));
        await ComposeAsync("Taking the Compose project down", removeVolumes ? ["down", "--volumes"] : ["down"]);
        var volumes = await engine.ListAsync("Listing the project's volumes", "volume", "ls", "-q", "--filter", $"label={ProjectLabel}");
        logger.LogInformation(removeVolumes
            ? "Removed the project's containers, networks and volumes; the wallet is gone."
            : "Removed the project's containers and networks; kept its volumes (the wallet): {Volumes}. Destroy with --Deploy:RemoveVolumes=true to remove them too.",
            string.Join(", ", volumes));
    }

    private Task<string> ComposeAsync(string what, params string[] arguments)
    {
        // docker-compose (v1, Debian's) where it is installed, else the compose plugin of docker.
        var standalone = ExecutableOnPath("docker-compose");
        return engine.Runner.RunCheckedAsync(what,
            standalone ? "docker-compose" : "docker",
            [.. standalone ? [] : new[] { "compose" }, "-p", settings.Project, "-f", ComposeWriter.FileName, .. arguments],
            ComposeTimeout, folder);
    }

    public static bool ExecutableOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, name)));
}
