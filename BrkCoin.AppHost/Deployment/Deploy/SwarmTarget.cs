using System.Globalization;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>docker-stack.yaml deployed as one Swarm stack, from a manager node.</summary>
public sealed class SwarmTarget(DeploymentSettings settings, DockerEngine engine, string folder, ILogger logger, CancellationToken cancellationToken) : IDeployTarget
{
    private static readonly TimeSpan StackTimeout = TimeSpan.FromMinutes(5);
    private string StackLabel => $"label=com.docker.stack.namespace={settings.Project}";

    public string PageAddress => settings.WebUiAddress.Length == 0
        ? $"http://<any node>:{settings.WebUiPort.ToString(CultureInfo.InvariantCulture)}"
        : "not published: a stack publishes on every interface or none, and Deploy:WebUiAddress asks for one";

    public async Task CheckEngineAsync()
    {
        await engine.CheckAnswersAsync();
        var state = (await engine.DockerAsync("Asking the engine about its swarm", "info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}")).Trim();
        if (state != "active true")
        {
            throw new DeployFailedException(
                $"The engine at {DockerEngine.Where} is not a swarm manager ({state}): run 'docker swarm init' there, or point DOCKER_HOST at a manager.");
        }
    }

    public async Task UpAsync()
    {
        // Swarm does not read .env by itself: its secrets reach `docker stack deploy`'s own environment.
        await engine.Runner.RunCheckedAsync("Deploying the stack", "docker",
            ["stack", "deploy", "--prune", "-c", ComposeWriter.StackFileName, settings.Project], StackTimeout, folder, EnvFile());
    }

    public Task WaitHealthyAsync(TimeSpan deadline) => DockerEngine.WaitUntilAsync(
        async () =>
        {
            // A task with a health check counts as running only once it is healthy.
            var services = await engine.ListAsync("Listing the stack's services",
                "service", "ls", "--filter", StackLabel, "--format", "{{.Name}} {{.Replicas}}");
            return services.Count == 0
                ? ["no service of the stack exists"]
                : [.. services.Where(s => s.Split(' ')[^1].Split('/') is not [var running, var wanted] || running != wanted || running == "0")];
        },
        deadline,
        "every service converged",
        $"The stack is left as it is so you can look: docker stack ps {settings.Project}; take it down with destroy.",
        cancellationToken);

    public async Task DownAsync(bool removeVolumes)
    {
        // Swarm stops the tasks itself; whatever is left behind is removed one at a time (see RemoveOneByOneAsync).
        await engine.DockerAsync("Removing the stack", "stack", "rm", settings.Project);
        await DockerEngine.WaitUntilAsync(
            async () =>
            {
                var containers = await engine.ListAsync("Listing the stack's containers", "ps", "-aq", "--filter", StackLabel);
                await engine.RemoveOneByOneAsync(containers);
                var networks = await engine.ListAsync("Listing the stack's networks", "network", "ls", "-q", "--filter", StackLabel);
                return [.. containers.Select(c => $"container {c}"), .. networks.Select(n => $"network {n}")];
            },
            TimeSpan.FromMinutes(2),
            "every container and network of the stack gone",
            "Look with docker ps -a and docker network ls.",
            cancellationToken);

        var volumes = await engine.ListAsync("Listing the stack's volumes", "volume", "ls", "-q", "--filter", StackLabel);
        if (removeVolumes && volumes.Count > 0)
        {
            await engine.DockerAsync("Removing the stack's volumes", ["volume", "rm", .. volumes]);
        }

        logger.LogInformation(removeVolumes
            ? "Removed the stack's services, networks and volumes ({Volumes}); the wallet is gone."
            : "Removed the stack's services and networks; kept its volumes (the wallet): {Volumes}. Destroy with --Deploy:RemoveVolumes=true to remove them too.",
            string.Join(", ", volumes));
    }

    private Dictionary<string, string> EnvFile() => Deployment.EnvFile.Read(Path.Combine(folder, ComposeWriter.EnvFileName));
}
