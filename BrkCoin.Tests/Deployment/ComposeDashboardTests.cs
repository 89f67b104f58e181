using BrkCoin.AppHost.Deployment;

namespace BrkCoin.Tests.Deployment;

/// <summary>The optional dashboard in the Compose file, from a small plan.</summary>
public sealed class ComposeDashboardTests
{
    private static readonly DeploymentPlan Plan = PlannedServices.Plan(
        PlannedServices.Project("rng"),
        PlannedServices.Project("worker", references: ["rng"]));

    [Fact]
    public void Without_the_setting_there_is_no_dashboard()
    {
        var services = (Dictionary<string, object>)ComposeWriter.Compose(Plan, new DeploymentSettings())["services"];

        Assert.DoesNotContain("aspire-dashboard", services.Keys);
    }

    [Fact]
    public void The_dashboard_joins_every_network_and_every_service_sends_it_telemetry()
    {
        var services = (Dictionary<string, object>)ComposeWriter.Compose(Plan, new DeploymentSettings { Dashboard = true })["services"];

        var dashboard = (Dictionary<string, object>)services["aspire-dashboard"];
        Assert.Equal(["front", "rng"], (IEnumerable<string>)dashboard["networks"]);
        // Its page shows every log and trace: published on loopback only, OTLP not at all.
        Assert.Equal(["127.0.0.1:18888:18888"], (IEnumerable<string>)dashboard["ports"]);
        foreach (var name in new[] { "rng", "worker" })
        {
            var environment = (Dictionary<string, object>)((Dictionary<string, object>)services[name])["environment"];
            Assert.Equal("http://aspire-dashboard:18889", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        }
    }
}
