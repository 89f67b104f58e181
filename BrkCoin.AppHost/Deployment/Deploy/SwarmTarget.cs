using System.Globalization;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>docker-stack.yaml deployed as one Swarm stack, from a manager node.</summary>
public sealed class SwarmTarget(DeploymentSettings settings, string project, DockerEngine engine, string folder, ILogger logger, CancellationToken cancellationToken) : IDeployTarget
{
    private static readonly TimeSpan StackTimeout = TimeSpan.FromMinutes(5);
    public string DeploymentFile => ComposeWriter.StackFileName;

    public string ProjectLabel => $"com.docker.stack.namespace={project}";

    private string StackLabel => $"label={ProjectLabel}";

    public string PageAddress => settings.WebUiAddress.Length == 0
        ? $"http://{engine.PageHost(string.Empty)}:{settings.WebUiPort.ToString(CultureInfo.InvariantCulture)} (or any node's address)"
        : "not published: a stack publishes on every interface or none, and Deploy:WebUiAddress asks for one";

    public async Task CheckEngineAsync()
    {
        await engine.CheckAnswersAsync();
        var state = (await engine.DockerAsync("Asking the engine about its swarm", "info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}")).Trim();
        if (state != "active true")
        {
            throw new DeployFailedException(
                $"The engine at {engine.Where} is not a swarm manager ({state}): run 'docker swarm init' there, or point DOCKER_HOST at a manager.");
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
            ["stack", "deploy", "--prune", "-c", ComposeWriter.StackFileName, project], StackTimeout, folder);
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
        $"The stack is left as it is so you can look: docker stack ps {project}; take it down with destroy.",
        cancellationToken);

    public async Task DownAsync(bool removeVolumes)
    {
        var services = await StackServicesAsync();
        var here = (await engine.DockerAsync("Asking the engine which node it is", "node", "inspect", "self", "--format", "{{.Description.Hostname}}")).Trim();
        var networks = await engine.ListAsync("Listing the stack's networks", "network", "ls", "-q", "--filter", StackLabel);
        var localVolumes = await LocalVolumesAsync();
        if (services.Count == 0 && networks.Count == 0 && (await ContainersAsync()).Count == 0 && (!removeVolumes || localVolumes.Count == 0))
        {
            throw new DeployFailedException(
                $"Nothing to remove: no service, network or container of the Swarm stack {project} is on the swarm of the engine at {engine.Where}"
                + (localVolumes.Count > 0 ? $" (its volumes {string.Join(", ", localVolumes)} on {here} are kept; --Deploy:RemoveVolumes=true removes them)." : ".")
                + " Is it a Compose project (--Deploy:Target=compose), another stack (--Deploy:Project) or another swarm (DOCKER_HOST)?");
        }

        // Where each volume is, asked before the services go: the task history says on which
        // nodes a service that mounts it ran, and a node's volumes are seen only on that node.
        var volumeNodes = services.SelectMany(s => s.Volumes.Select(v => (Volume: v, s.Nodes)))
            .GroupBy(x => x.Volume, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(x => x.Nodes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        // Callers first, each scaled to none a task at a time (the grace of every task honoured,
        // and never many leaving a network at once, which deadlocks Debian's dockerd 20.10) and
        // waited for until its tasks are shut down, while what they call still answers.
        var byName = services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var round in ShutdownOrder.CallersFirst(services.ToDictionary(s => s.Name, s => s.Networks, StringComparer.Ordinal)))
        {
            foreach (var service in round.Select(name => byName[name]))
            {
                await ScaleToNoneAsync(service);
            }
        }

        // Only empty services are left (and global ones, which cannot be scaled: their tasks stop
        // now, each with its grace), and whatever they left behind is removed one at a time.
        await engine.DockerAsync("Removing the stack", "stack", "rm", project);
        await DockerEngine.WaitUntilAsync(
            async () =>
            {
                var containers = await ContainersAsync();
                await engine.RemoveOneByOneAsync(containers.Where(c => c.State is "exited" or "created" or "dead").Select(c => c.Id));
                var left = await engine.ListAsync("Listing the stack's networks", "network", "ls", "-q", "--filter", StackLabel);
                return [.. containers.Select(c => $"container {c.Id} ({c.State})"), .. left.Select(n => $"network {n}")];
            },
            TimeSpan.FromMinutes(2),
            "every container and network of the stack gone",
            "Look with docker ps -a and docker network ls.",
            cancellationToken);

        localVolumes = await LocalVolumesAsync();
        if (removeVolumes && localVolumes.Count > 0)
        {
            await engine.DockerAsync("Removing the stack's volumes", ["volume", "rm", .. localVolumes]);
        }

        var gone = localVolumes.Except(await LocalVolumesAsync(), StringComparer.Ordinal).ToList();
        var elsewhere = volumeNodes.Select(v => (Volume: v.Key, Nodes: v.Value.Where(node => node != here).ToList())).Where(v => v.Nodes.Count > 0)
            .Select(v => $"{v.Volume} on {string.Join(", ", v.Nodes)}").ToList();
        var where = string.Join(", ", [.. localVolumes.Select(v => $"{v} on {here}"), .. elsewhere]);
        if (!removeVolumes && where.Length == 0)
        {
            logger.LogInformation("Removed the stack's services and networks; found no volume of the stack on {Here}, and this engine cannot look into other nodes (the wallet's is on the node labelled for it).", here);
        }
        else if (!removeVolumes)
        {
            logger.LogInformation("Removed the stack's services and networks; kept its volumes (the wallet): {Volumes}. Destroy with --Deploy:RemoveVolumes=true to remove them too.", where);
        }
        else if (localVolumes.Count == 0 && elsewhere.Count == 0)
        {
            // Nothing seen is nothing removed: the stack's task history, which names the nodes,
            // may be gone (an earlier destroy) and this engine sees only its own node's volumes.
            throw new DeployFailedException(
                $"Removed the stack's services and networks; found no volume of the stack on {here}, and this engine ({engine.Where}) cannot look into other nodes. "
                + "On the node labelled for the wallet: docker volume ls, then docker volume rm <volume>.");
        }
        else if (elsewhere.Count == 0 && gone.Count == localVolumes.Count)
        {
            logger.LogInformation("Removed the stack's services, networks and volumes ({Volumes}); the wallet is gone.", string.Join(", ", gone));
        }
        else
        {
            // A volume lives on the node that used it; this engine sees only its own.
            throw new DeployFailedException(
                $"Removed the stack's services and networks{(gone.Count > 0 ? $" and, on {here}, the volumes {string.Join(", ", gone)}" : string.Empty)}; "
                + $"not removed, as this engine ({here}, {engine.Where}) cannot look into other nodes: {string.Join(", ", elsewhere)}. "
                + "Remove each there: docker volume rm <volume>, with DOCKER_HOST pointing at that node.");
        }
    }

    /// <summary>One of the stack's services: its networks and volumes by their names in the plan, and the nodes its tasks ran on.</summary>
    private sealed record StackService(string Name, string FullName, int? Replicas, IReadOnlyCollection<string> Networks, IReadOnlyList<string> Volumes, IReadOnlyList<string> Nodes);

    private async Task<List<StackService>> StackServicesAsync()
    {
        var networkNames = (await engine.ListAsync("Listing the stack's networks", "network", "ls", "--no-trunc", "--filter", StackLabel, "--format", "{{.ID}} {{.Name}}"))
            .Select(line => line.Split(' ', 2)).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        var services = new List<StackService>();
        foreach (var name in await engine.ListAsync("Listing the stack's services", "service", "ls", "--filter", StackLabel, "--format", "{{.Name}}"))
        {
            // "replicas|network ids|volumes": a global service has no replica count.
            var spec = (await engine.DockerAsync("Inspecting a service", "service", "inspect", name, "--format",
                "{{if .Spec.Mode.Replicated}}{{.Spec.Mode.Replicated.Replicas}}{{end}}|{{range .Spec.TaskTemplate.Networks}}{{.Target}} {{end}}|"
                + "{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{if eq .Type \"volume\"}}{{.Source}} {{end}}{{end}}")).Trim().Split('|');
            var nodes = await engine.ListAsync("Listing a service's tasks", "service", "ps", name, "--format", "{{.Node}}");
            services.Add(new StackService(
                ShutdownOrder.InPlan(name, project),
                name,
                int.TryParse(spec[0], CultureInfo.InvariantCulture, out var replicas) ? replicas : null,
                [.. spec[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => ShutdownOrder.InPlan(networkNames.GetValueOrDefault(id, id), project))],
                [.. spec[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)],
                [.. nodes.Where(node => node.Length > 0).Distinct(StringComparer.Ordinal)]));
        }

        return services;
    }

    private async Task ScaleToNoneAsync(StackService service)
    {
        if (service.Replicas is not { } replicas)
        {
            logger.LogInformation("{Service} runs one task per node and cannot be scaled: its tasks stop with the stack", service.Name);
            return;
        }

        logger.LogInformation("Stopping {Service}: scaling it from {Replicas} to none, a task at a time, each with its grace", service.Name, replicas);
        for (var wanted = replicas - 1; wanted >= 0; wanted--)
        {
            await engine.Runner.RunCheckedAsync($"Scaling {service.FullName} to {wanted}", "docker",
                ["service", "scale", "--detach=false", $"{service.FullName}={wanted.ToString(CultureInfo.InvariantCulture)}"], StackTimeout);
        }

        await DockerEngine.WaitUntilAsync(
            async () => [.. (await engine.ListAsync("Listing a service's tasks", "service", "ps", service.FullName, "--format", "{{.Name}} {{.CurrentState}}"))
                .Where(task => task.Split(' ') is [_, var state, ..] && state is not ("Shutdown" or "Complete" or "Failed" or "Rejected" or "Orphaned" or "Remove"))],
            TimeSpan.FromMinutes(2),
            $"every task of {service.FullName} shut down",
            $"Look with docker service ps {service.FullName}; the stack is left as it is.",
            cancellationToken);
    }

    /// <summary>The stack's containers on this node, with their state ("running", "exited", …).</summary>
    private async Task<List<(string Id, string State)>> ContainersAsync() =>
        [.. (await engine.ListAsync("Listing the stack's containers", "ps", "-a", "--filter", StackLabel, "--format", "{{.ID}} {{.State}}"))
            .Select(line => line.Split(' ', 2)).Select(pair => (pair[0], pair.ElementAtOrDefault(1) ?? string.Empty))];

    private Task<List<string>> LocalVolumesAsync() =>
        engine.ListAsync("Listing the stack's volumes on this node", "volume", "ls", "-q", "--filter", StackLabel);
}
