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

/// <summary>Deploy:RngAutoscaler on the files: refused beside one per node, and leaving nothing behind when turned off.</summary>
public sealed class KubernetesAutoscalerSettingsTests
{
    private static DeploymentPlan PlanWith(DeployedAutoscaler? autoscaler) => PlannedServices.Plan(
        PlannedServices.Project("rng") with { Scaling = new DeployedScaling(2, Autoscaler: autoscaler) });

    [Fact]
    public void One_rng_per_node_and_an_autoscaler_together_are_refused_by_name()
    {
        var refused = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => BrkCoin.AppHost.SettingsSection.Validate(new DeploymentSettings { RngPerNode = true, RngAutoscaler = true }));

        Assert.Contains("Deploy:RngPerNode and Deploy:RngAutoscaler", refused.Message);
        BrkCoin.AppHost.SettingsSection.Validate(new DeploymentSettings { RngAutoscaler = true });
        BrkCoin.AppHost.SettingsSection.Validate(new DeploymentSettings { RngPerNode = true });
    }

    [Fact]
    public async Task Published_again_without_the_autoscaler_the_earlier_adapter_rule_is_gone()
    {
        var folder = Directory.CreateTempSubdirectory("brkcoin-kubernetes-").FullName;
        try
        {
            var cancel = TestContext.Current.CancellationToken;
            await KubernetesWriter.WriteAsync(PlanWith(new DeployedAutoscaler(2, 5, "draws", "draw_seconds_sum", "800m")), new DeploymentSettings(), folder, cancel);
            var adapter = Path.Combine(folder, PrometheusAdapterRules.FolderName);
            Assert.Equal(["kustomization.yaml", PrometheusAdapterRules.FileName], Directory.EnumerateFiles(adapter).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.DoesNotContain(PrometheusAdapterRules.FolderName, await File.ReadAllTextAsync(Path.Combine(folder, "kustomization.yaml"), cancel));

            await KubernetesWriter.WriteAsync(PlanWith(null), new DeploymentSettings(), folder, cancel);

            Assert.False(Directory.Exists(adapter));
            Assert.Contains("replicas: 2", await File.ReadAllTextAsync(Path.Combine(folder, "rng.yaml"), cancel));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
