using BrkCoin.AppHost.Deployment;
using k8s.Models;

namespace BrkCoin.Tests.Deployment;

/// <summary>The web UI's exposure settings, on a small plan.</summary>
public sealed class KubernetesSettingsTests
{
    private static readonly DeploymentPlan Plan = new(
        [new DeployedService("webui", "brkcoin-webui:latest", 2, 8080, IsProject: true, IsExternal: true, [], [], null, [], null, ["bash", "-c", "exit 0"], 1654)],
        new Dictionary<string, string>());

    [Theory]
    [InlineData("ClusterIP")]
    [InlineData("NodePort")]
    [InlineData("LoadBalancer")]
    public void The_web_ui_service_type_is_a_setting(string type)
    {
        var objects = KubernetesWriter.Documents(Plan, new DeploymentSettings { WebUiServiceType = type }).Values.SelectMany(o => o);

        Assert.Equal(type, objects.OfType<V1Service>().Single().Spec.Type);
        Assert.Empty(objects.OfType<V1Ingress>());
    }

    [Fact]
    public void An_ingress_host_adds_an_ingress_to_the_web_ui()
    {
        var objects = KubernetesWriter.Documents(Plan, new DeploymentSettings { IngressHost = "brkcoin.example.com" }).Values.SelectMany(o => o);

        var ingress = Assert.Single(objects.OfType<V1Ingress>());
        var rule = Assert.Single(ingress.Spec.Rules);
        Assert.Equal("brkcoin.example.com", rule.Host);
        Assert.Equal("webui", Assert.Single(rule.Http.Paths).Backend.Service.Name);
    }
}

/// <summary>One rng per node, as the original's workshop runs it.</summary>
public sealed class KubernetesRngPerNodeTests
{
    private static readonly DeploymentPlan Plan = new(
        [new DeployedService("rng", "brkcoin-rng:latest", 1, 8080, IsProject: true, IsExternal: false, [], [], null, [], null, ["bash", "-c", "exit 0"], 1654)],
        new Dictionary<string, string>());

    [Fact]
    public void Rng_per_node_is_a_daemon_set_without_an_autoscaler_and_round_trips_strictly()
    {
        var objects = KubernetesWriter.Documents(Plan, new DeploymentSettings { RngPerNode = true }).Values.SelectMany(o => o).ToList();

        var daemonSet = Assert.Single(objects.OfType<V1DaemonSet>());
        Assert.Equal("rng", daemonSet.Spec.Template.Spec.Containers.Single().Name);
        Assert.Empty(objects.OfType<V1Deployment>());
        Assert.Empty(objects.OfType<V2HorizontalPodAutoscaler>());
        var yaml = k8s.KubernetesYaml.Serialize(daemonSet);
        Assert.Equal(yaml, k8s.KubernetesYaml.Serialize(k8s.KubernetesYaml.LoadAllFromString(yaml, strict: true).Single()));
    }
}

/// <summary>rng's autoscaler keeps the model's rng replicas as its floor.</summary>
public sealed class KubernetesRngAutoscalerTests
{
    [Fact]
    public void The_model_s_rng_replicas_are_the_autoscaler_s_minimum()
    {
        var plan = new DeploymentPlan(
            [new DeployedService("rng", "brkcoin-rng:latest", 3, 8080, IsProject: true, IsExternal: false, [], [], null, [], null, ["bash", "-c", "exit 0"], 1654)],
            new Dictionary<string, string>());

        var objects = KubernetesWriter.Documents(plan, new DeploymentSettings { RngMaxReplicas = 10 }).Values.SelectMany(o => o);

        var hpa = Assert.Single(objects.OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal(3, hpa.Spec.MinReplicas);
        Assert.Equal(10, hpa.Spec.MaxReplicas);
    }
}
