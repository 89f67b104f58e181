using System.Globalization;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>docker-stack.yaml deployed as one Swarm stack, from a manager node.</summary>
public sealed class SwarmTarget(DeploymentSettings settings, DockerEngine engine, string folder, ILogger logger, CancellationToken cancellationToken) : IDeployTarget
{
    private static readonly TimeSpan StackTimeout = TimeSpan.FromMinutes(5);
    public string ProjectLabel => $"com.docker.stack.namespace={settings.Project}";

    private string StackLabel => $"label={ProjectLabel}";

    public string PageAddress => settings.WebUiAddress.Length == 0
        ? $"http://{DockerEngine.PageHost(string.Empty)}:{settings.WebUiPort.ToString(CultureInfo.InvariantCulture)} (or any node's address)"
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

        var nodes = await engine.ListAsync("Listing the swarm's nodes", "node", "ls", "-q");
        if (nodes.Count > 1 && settings.Registry.Length == 0)
        {
            throw new DeployFailedException(
                $"The swarm has {nodes.Count} nodes, and each pulls the images itself: build them into a registry every node reaches (Deploy:Registry).");
        }
    }

    public async Task UpAsync()
    {
        // The stack names its secrets' files (secrets/); nothing in it is read from the environment.
        await engine.Runner.RunCheckedAsync("Deploying the stack", "docker",
            ["stack", "deploy", "--prune", "-c", ComposeWriter.StackFileName, settings.Project], StackTimeout, folder);
    }

    public Task WaitHealthyAsync(TimeSpan deadline) => DockerEngine.WaitUntilAsync(
        async () =>
        {
            // A task with a health check counts as running only once it is healthy. Right after a
            // redeploy the old tasks still count, so an update must also have completed; one that
            // rolled back or paused fails the step at once.
            var services = await engine.ListAsync("Listing the stack's services",
                "service", "ls", "--filter", StackLabel, "--format", "{{.Name}}");
            if (services.Count == 0)
            {
                return ["no service of the stack exists"];
            }

            var problems = new List<string>();
            foreach (var service in services)
            {
                var state = (await engine.DockerAsync("Inspecting a service", "service", "inspect", service, "--format",
                    "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}")).Trim();
                if (state is "rollback_started" or "rollback_completed" or "rollback_paused" or "paused")
                {
                    throw new DeployFailedException(
                        $"The update of {service} did not succeed (Swarm says {state}). Look with docker service ps {service}; the stack is left as it is.");
                }

                var replicas = (await engine.DockerAsync("Listing a service", "service", "ls", "--filter", $"name={service}", "--format", "{{.Replicas}}"))
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Split(' ')[0] ?? string.Empty;
                if (state is not ("" or "completed") || replicas.Split('/') is not [var running, var wanted] || running != wanted || running == "0")
                {
                    // Swarm's own word for a task that cannot start, e.g. "no suitable node (scheduling constraints not satisfied on 3 nodes)".
                    var why = (await engine.DockerAsync("Listing a service's tasks", "service", "ps", service, "--no-trunc",
                            "--filter", "desired-state=running", "--format", "{{.Error}}"))
                        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
                    problems.Add($"{service}: {replicas}{(state.Length > 0 ? $", update {state}" : string.Empty)}{(why is { Length: > 0 } ? $" ({why})" : string.Empty)}");
                }
            }

            return problems;
        },
        deadline,
        "every service converged",
        $"The stack is left as it is so you can look: docker stack ps {settings.Project}; take it down with destroy.",
        cancellationToken);

    public async Task DownAsync(bool removeVolumes)
    {
        // Swarm stops every task at once (which a `down` on the same engine version has deadlocked);
        // whatever it leaves behind is removed one at a time.
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
}
