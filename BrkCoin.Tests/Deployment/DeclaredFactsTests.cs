using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using BrkCoin.AppHost.Deployment;
using BrkCoin.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// The deployment facts follow what a resource declares, not what it is called: a model whose
/// services have names BrkCoin never uses gets rng's and the wallet's behaviour by declaring it.
/// </summary>
public sealed class DeclaredFactsTests
{
    [Fact]
    public async Task A_renamed_service_keeps_every_declared_behaviour_in_every_file()
    {
        var plan = await PlanAsync(builder =>
        {
            var vault = builder.AddContainer("vault", "example/vault", "1.0")
                .WithEnvironment("VAULT_PASSWORD", builder.AddParameter("vault-password", secret: true))
                .WithVolume("vault-data", "/srv/data")
                .WithEndpoint(targetPort: 7000, name: "tcp")
                .WithDeploymentUser(4242)
                .WithDeploymentPassword("VAULT_PASSWORD")
                .WithDeploymentHealthCommand(password => ["vault-check", $"--password-from={password}"]);
            var entropy = builder.AddProject("entropy", RepositoryProject("BrkCoin.Rng"))
                .WithOnePerNode(false)
                .WithAutoscaler("entropy_queue", "entropy_seconds_sum", "2", maxReplicas: 7)
                .WithMetricsScrape()
                .WithSpreadAcrossReplicas();
            builder.AddProject("digger", RepositoryProject("BrkCoin.Worker"))
                .WithReference(entropy)
                .WithReference(vault.GetEndpoint("tcp"))
                .WithNodeName("Digger__Host");
        });

        var entropy = plan.Services.Single(s => s.Name == "entropy");
        Assert.Equal(new DeployedAutoscaler(1, 7, "entropy_queue", "entropy_seconds_sum", "2"), entropy.Scaling.Autoscaler);
        Assert.True(entropy.SpreadAcrossReplicas);
        Assert.Equal("/metrics", entropy.Metrics?.Path);
        Assert.Equal(["digger"], entropy.Callers);

        var vault = plan.Services.Single(s => s.Name == "vault");
        Assert.Equal(4242, vault.Hardening.RunAsUser);
        Assert.Equal("/srv/data", vault.DataPath);
        Assert.Equal(["vault-check", "--password-from=VAULT_PASSWORD"], vault.Probes.HealthCommand);
        Assert.Contains("VAULT_PASSWORD", plan.Secrets.Keys);

        var kubernetes = KubernetesWriter.Documents(plan, new DeploymentSettings()).Values.SelectMany(o => o).ToList();
        Assert.Equal("entropy", Assert.Single(kubernetes.OfType<V2HorizontalPodAutoscaler>()).Spec.ScaleTargetRef.Name);
        Assert.Equal("None", kubernetes.OfType<V1Service>().Single(s => s.Metadata.Name == "entropy").Spec.ClusterIP);
        Assert.Contains(kubernetes.OfType<V1NetworkPolicy>(), p => p.Metadata.Name == "allow-entropy-metrics-scrape");
        var vaultPod = kubernetes.OfType<V1StatefulSet>().Single().Spec.Template.Spec;
        Assert.Equal(4242, vaultPod.SecurityContext.RunAsUser);
        Assert.Equal(["vault-check", "--password-from=VAULT_PASSWORD"], vaultPod.Containers.Single().LivenessProbe.Exec.Command);

        var compose = ComposeWriter.Compose(plan, new DeploymentSettings());
        var composedVault = (Dictionary<string, object>)((Dictionary<string, object>)compose["services"])["vault"];
        Assert.Equal("4242:4242", composedVault["user"]);
        Assert.Equal(["vault"], (IEnumerable<string>)composedVault["networks"]);

        // The node a task runs on: Swarm's template, the Kubernetes downward API; plain Compose has one host and says nothing.
        Assert.Equal("Digger__Host", plan.Services.Single(s => s.Name == "digger").NodeNameVariable);
        Assert.Null(plan.Services.Single(s => s.Name == "vault").NodeNameVariable);
        Assert.Equal("{{.Node.Hostname}}", EnvironmentOf(ComposeWriter.Compose(plan, new DeploymentSettings(), swarm: true), "digger")["Digger__Host"]);
        Assert.False(EnvironmentOf(compose, "digger").ContainsKey("Digger__Host"));
        var diggerVariable = kubernetes.OfType<V1Deployment>().Single(d => d.Metadata.Name == "digger")
            .Spec.Template.Spec.Containers.Single().Env.Single(v => v.Name == "Digger__Host");
        Assert.Equal("spec.nodeName", diggerVariable.ValueFrom.FieldRef.FieldPath);
    }

    private static Dictionary<string, object> EnvironmentOf(Dictionary<string, object> compose, string service) =>
        (Dictionary<string, object>)((Dictionary<string, object>)((Dictionary<string, object>)compose["services"])[service])["environment"];

    [Fact]
    public async Task The_models_replicas_are_the_autoscalers_minimum()
    {
        var plan = await PlanAsync(builder => builder.AddProject("entropy", RepositoryProject("BrkCoin.Rng"))
            .WithReplicas(3)
            .WithAutoscaler("entropy_queue", "entropy_seconds_sum", "2", maxReplicas: 10));

        var documents = KubernetesWriter.Documents(plan, new DeploymentSettings());
        var hpa = Assert.Single(documents.Values.SelectMany(o => o).OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal(3, hpa.Spec.MinReplicas);
        Assert.Equal(10, hpa.Spec.MaxReplicas);
        // Its metric comes through Prometheus: the service is scraped without saying so, and the adapter's rule ships with it.
        Assert.Equal("/metrics", Assert.Single(plan.Services).Metrics?.Path);
        var rule = Assert.Single(AdapterQuery.RulesIn(documents["autoscaler/prometheus-adapter-rules.yaml"].OfType<V1ConfigMap>().Single()).Rules);
        Assert.Equal("entropy_queue", rule.Name.As);
        Assert.Equal("entropy_seconds_sum", AdapterQuery.Parse(rule).Series);
    }

    [Fact]
    public async Task An_autoscaler_not_enabled_leaves_no_trace()
    {
        var plan = await PlanAsync(builder => builder.AddProject("entropy", RepositoryProject("BrkCoin.Rng"))
            .WithReplicas(2)
            .WithAutoscaler("entropy_queue", "entropy_seconds_sum", "2", maxReplicas: 10, enabled: false));

        var entropy = Assert.Single(plan.Services);
        Assert.Null(entropy.Scaling.Autoscaler);
        Assert.Null(entropy.Metrics);
        var documents = KubernetesWriter.Documents(plan, new DeploymentSettings());
        Assert.Equal(2, documents.Values.SelectMany(o => o).OfType<V1Deployment>().Single().Spec.Replicas);
        Assert.Empty(documents.Values.SelectMany(o => o).OfType<V2HorizontalPodAutoscaler>());
        Assert.DoesNotContain(documents.Keys, file => file.StartsWith("autoscaler/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_per_node_puts_the_autoscaler_aside_whatever_the_service_is_called()
    {
        var plan = await PlanAsync(builder => builder.AddProject("entropy", RepositoryProject("BrkCoin.Rng"))
            .WithOnePerNode()
            .WithAutoscaler("entropy_queue", "entropy_seconds_sum", "2", maxReplicas: 7));

        var entropy = Assert.Single(plan.Services);
        Assert.True(entropy.Scaling.OnePerNode);
        Assert.Null(entropy.Scaling.Autoscaler);
        var stack = ComposeWriter.Compose(plan, new DeploymentSettings(), swarm: true);
        var deploy = (Dictionary<string, object>)((Dictionary<string, object>)((Dictionary<string, object>)stack["services"])["entropy"])["deploy"];
        Assert.Equal("global", deploy["mode"]);
        Assert.Single(KubernetesWriter.Documents(plan, new DeploymentSettings()).Values.SelectMany(o => o).OfType<V1DaemonSet>());
    }

    [Fact]
    public async Task A_container_that_declares_nothing_gets_no_made_up_user_or_health_check()
    {
        var plan = await PlanAsync(builder => builder.AddContainer("cache", "example/cache", "1.0"));

        var cache = Assert.Single(plan.Services);
        Assert.Null(cache.Hardening.RunAsUser);
        Assert.Empty(cache.Probes.HealthCommand);
        var service = (Dictionary<string, object>)((Dictionary<string, object>)ComposeWriter.Compose(plan, new DeploymentSettings())["services"])["cache"];
        Assert.False(service.ContainsKey("user"));
        Assert.False(service.ContainsKey("healthcheck"));
    }

    private static string RepositoryProject(string name) => Path.Combine(RepositoryRoot.Path, name, $"{name}.csproj");

    private static async Task<DeploymentPlan> PlanAsync(Action<IDistributedApplicationBuilder> declare)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--operation", "publish", "--Parameters:vault-password=secret1"],
            DisableDashboard = true,
        });
        declare(builder);
        await using var app = builder.Build();
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var planner = new DeploymentPlanner(builder.ExecutionContext, new DeploymentSettings(), builder.Configuration);
        return await planner.PlanAsync(model, TestContext.Current.CancellationToken);
    }
}
