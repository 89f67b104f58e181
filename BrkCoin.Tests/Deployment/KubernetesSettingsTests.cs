using BrkCoin.AppHost.Deployment;
using k8s.Models;

namespace BrkCoin.Tests.Deployment;

/// <summary>The web UI's exposure settings, on a small plan.</summary>
public sealed class KubernetesSettingsTests
{
    private static readonly DeploymentPlan Plan = PlannedServices.Plan(PlannedServices.Project("webui", replicas: 2, isExternal: true));

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

/// <summary>One replica per node, as the original's workshop runs rng.</summary>
public sealed class KubernetesRngPerNodeTests
{
    private static readonly DeploymentPlan Plan = PlannedServices.Plan(
        PlannedServices.Project("rng") with { Scaling = new DeployedScaling(1, OnePerNode: true) });

    [Fact]
    public void One_per_node_is_a_daemon_set_without_an_autoscaler_and_round_trips_strictly()
    {
        var objects = KubernetesWriter.Documents(Plan, new DeploymentSettings()).Values.SelectMany(o => o).ToList();

        var daemonSet = Assert.Single(objects.OfType<V1DaemonSet>());
        Assert.Equal("rng", daemonSet.Spec.Template.Spec.Containers.Single().Name);
        Assert.Empty(objects.OfType<V1Deployment>());
        Assert.Empty(objects.OfType<V2HorizontalPodAutoscaler>());
        var yaml = k8s.KubernetesYaml.Serialize(daemonSet);
        Assert.Equal(yaml, k8s.KubernetesYaml.Serialize(k8s.KubernetesYaml.LoadAllFromString(yaml, strict: true).Single()));
    }
}
