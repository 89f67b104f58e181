using BrkCoin.AppHost.Deployment;

namespace BrkCoin.Tests.Deployment;

/// <summary>Small plans for the writers' tests: one of our .NET services with the planner's defaults.</summary>
public static class PlannedServices
{
    public static DeployedService Project(string name, int replicas = 1, bool isExternal = false, string[]? references = null) => new()
    {
        Name = name,
        Image = $"brkcoin-{name}:latest",
        Port = 8080,
        PortName = "http",
        IsExternal = isExternal,
        References = references ?? [],
        Scaling = new DeployedScaling(replicas),
        Probes = new DeployedProbes(["bash", "-c", "exit 0"], "/alive", "/health"),
        Hardening = new DeployedHardening(1654, ReadOnlyRootFilesystem: true, "/tmp", new DeployedResources("50m", "96Mi", "500m", "384Mi")),
        ExportsTelemetry = true,
        StopGracePeriod = TimeSpan.FromSeconds(30),
    };

    /// <summary>A plan whose callers and networks follow the services' references, as the planner draws them.</summary>
    public static DeploymentPlan Plan(params DeployedService[] services)
    {
        var (connected, networks) = DeploymentPlanner.Connect(services, withFront: true);
        return new DeploymentPlan(connected, networks, new Dictionary<string, string>());
    }
}
