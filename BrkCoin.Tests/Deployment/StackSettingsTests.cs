using BrkCoin.AppHost.Deployment;

namespace BrkCoin.Tests.Deployment;

/// <summary>The Swarm stack's settings: endpoint mode, one replica per node, where the web UI is published, encrypted overlays.</summary>
public sealed class StackSettingsTests
{
    private static readonly DeploymentPlan Plan = PlannedServices.Plan(
        PlannedServices.Project("rng", replicas: 2),
        PlannedServices.Project("webui", isExternal: true));

    [Fact]
    public void By_default_swarm_balances_on_virtual_ips_through_the_routing_mesh()
    {
        var stack = ComposeWriter.Compose(Plan, new DeploymentSettings(), swarm: true);

        Assert.Equal("3.8", stack["version"]);
        Assert.Equal("vip", Deploy(stack, "rng")["endpoint_mode"]);
        Assert.Equal(2, Deploy(stack, "rng")["replicas"]);
        Assert.Equal("ingress", Port(stack)["mode"]);
        Assert.False(Service(stack, "rng").ContainsKey("restart"), "Swarm ignores restart; its policy is under deploy");
    }

    [Fact]
    public void Dnsrr_gives_each_tasks_address_and_publishes_on_the_node_itself()
    {
        var stack = ComposeWriter.Compose(Plan, new DeploymentSettings { EndpointMode = "dnsrr" }, swarm: true);

        Assert.Equal("dnsrr", Deploy(stack, "rng")["endpoint_mode"]);
        // Without IPVS there is no routing mesh: a published port must be the node's own.
        Assert.Equal("host", Port(stack)["mode"]);
    }

    [Fact]
    public void One_per_node_is_swarms_global_mode()
    {
        var perNode = Plan with
        {
            Services = [.. Plan.Services.Select(s => s.Name == "rng" ? s with { Scaling = s.Scaling with { OnePerNode = true } } : s)],
        };
        var stack = ComposeWriter.Compose(perNode, new DeploymentSettings(), swarm: true);

        Assert.Equal("global", Deploy(stack, "rng")["mode"]);
        Assert.False(Deploy(stack, "rng").ContainsKey("replicas"));
        Assert.Equal(1, Deploy(stack, "webui")["replicas"]);
    }

    [Fact]
    public void Asked_for_one_address_swarm_publishes_nothing_rather_than_every_interface()
    {
        var stack = ComposeWriter.Compose(Plan, new DeploymentSettings { WebUiAddress = "127.0.0.1" }, swarm: true);

        Assert.False(Service(stack, "webui").ContainsKey("ports"));
        // docker-compose can bind one address, and does.
        var compose = ComposeWriter.Compose(Plan, new DeploymentSettings { WebUiAddress = "127.0.0.1" });
        Assert.Equal(["127.0.0.1:8080:8080"], (IEnumerable<object>)Service(compose, "webui")["ports"]);
    }

    [Fact]
    public void An_encrypted_overlay_marks_every_stack_network_and_leaves_compose_alone()
    {
        var plan = PlannedServices.Plan(
            PlannedServices.Project("rng"), PlannedServices.Project("worker", references: ["rng"]), PlannedServices.Project("webui", isExternal: true));
        var settings = new DeploymentSettings { EncryptedOverlay = true };
        var stack = ComposeWriter.Compose(plan, settings, swarm: true);

        var networks = (Dictionary<string, object>)stack["networks"];
        Assert.Equal(["front", "rng"], networks.Keys.Order(StringComparer.Ordinal));
        Assert.All(networks.Values.Cast<Dictionary<string, object>>(), network =>
        {
            Assert.Equal("overlay", network["driver"]);
            // The option's presence turns IPsec on; Docker reads no value.
            Assert.Equal(new Dictionary<string, object> { ["encrypted"] = string.Empty }, network["driver_opts"]);
        });

        // Off by default; plain Compose runs on one host and has nothing to encrypt.
        Assert.All(((Dictionary<string, object>)ComposeWriter.Compose(plan, new DeploymentSettings(), swarm: true)["networks"]).Values.Cast<Dictionary<string, object>>(),
            network => Assert.False(network.ContainsKey("driver_opts")));
        Assert.All(((Dictionary<string, object>)ComposeWriter.Compose(plan, settings)["networks"]).Values.Cast<Dictionary<string, object>>(),
            network => Assert.False(network.ContainsKey("driver_opts")));
    }

    private static Dictionary<string, object> Service(Dictionary<string, object> file, string name) =>
        (Dictionary<string, object>)((Dictionary<string, object>)file["services"])[name];

    private static Dictionary<string, object> Deploy(Dictionary<string, object> file, string name) =>
        (Dictionary<string, object>)Service(file, name)["deploy"];

    private static Dictionary<string, object> Port(Dictionary<string, object> file) =>
        (Dictionary<string, object>)((List<object>)Service(file, "webui")["ports"]).Single();
}
