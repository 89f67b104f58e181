using k8s;
using k8s.Models;

namespace BrkCoin.Tests.Deployment;

[Collection(PublishedFilesCollection.Name)]
public sealed class KubernetesBaseTests(PublishedFilesFixture published)
{
    private const string NameLabel = "app.kubernetes.io/name";
    private static readonly string[] Services = ["hasher", "redis", "rng", "webui", "worker"];

    [Fact]
    public async Task Kustomize_renders_the_base_and_every_object_round_trips_strictly()
    {
        var objects = await RenderAsync();

        Assert.Contains(objects, o => o is V1Secret);
        Assert.All(objects, Kustomize.AssertRoundTrips);
    }

    [Fact]
    public async Task Each_service_has_a_workload_and_a_cluster_service_redis_a_stateful_set_with_a_claim()
    {
        var objects = await RenderAsync();

        Assert.Equal(["hasher", "rng", "webui", "worker"], objects.OfType<V1Deployment>().Select(d => d.Metadata.Name).Order());
        var redis = Assert.Single(objects.OfType<V1StatefulSet>());
        Assert.Equal("redis", redis.Metadata.Name);
        Assert.Equal("data", Assert.Single(redis.Spec.VolumeClaimTemplates).Metadata.Name);
        Assert.Equal(Services, objects.OfType<V1Service>().Select(s => s.Metadata.Name).Order());
        Assert.All(objects.OfType<V1Service>().Where(s => s.Metadata.Name != "webui"), s => Assert.Equal("ClusterIP", s.Spec.Type));
        Assert.Equal("NodePort", objects.OfType<V1Service>().Single(s => s.Metadata.Name == "webui").Spec.Type);
        Assert.Equal(3, objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "worker").Spec.Replicas);
    }

    [Fact]
    public async Task By_default_rng_runs_the_models_replicas_with_no_autoscaler_and_nothing_scrapes_it()
    {
        var objects = await RenderAsync();

        // A plain cluster has no Prometheus and no prometheus-adapter to serve the draws metric,
        // and an autoscaler that cannot fetch its metric never scales down: none is written.
        Assert.Empty(objects.OfType<V2HorizontalPodAutoscaler>());
        Assert.False(Directory.Exists(Path.Combine(published.Output, "kubernetes", BrkCoin.AppHost.Deployment.PrometheusAdapterRules.FolderName)));
        // Mining:RngReplicas (1 here), which `kubectl scale deployment rng --replicas=N` changes.
        var rng = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "rng");
        Assert.Equal(1, rng.Spec.Replicas);

        // Nothing reads rng's metrics, so it serves none and no namespace is let in for them.
        Assert.DoesNotContain(rng.Spec.Template.Spec.Containers.Single().Env, e => e.Name == "Metrics__Prometheus");
        Assert.Null(rng.Spec.Template.Metadata.Annotations);
        Assert.DoesNotContain(objects.OfType<V1NetworkPolicy>(), p => p.Spec.Ingress?.Any(rule => rule.FromProperty?.Any(peer => peer.NamespaceSelector is not null) == true) == true);
    }

    [Fact]
    public async Task The_wallet_keeps_every_write_on_its_volume_and_its_probes_keep_the_password_off_the_command_line()
    {
        var redis = (await RenderAsync()).OfType<V1StatefulSet>().Single();
        var container = redis.Spec.Template.Spec.Containers.Single();

        var start = string.Join(' ', container.Args);
        Assert.Contains("--appendonly yes", start);
        Assert.Contains("--appendfsync always", start);
        Assert.Contains("--dir /data", start);
        Assert.Equal("/data", container.VolumeMounts.Single(m => m.Name == "data").MountPath);
        foreach (var probe in new[] { container.LivenessProbe, container.ReadinessProbe })
        {
            var command = string.Join(' ', probe.Exec.Command);
            Assert.Contains("REDISCLI_AUTH=", command);
            Assert.DoesNotContain(" -a ", command);
        }
    }

    [Fact]
    public async Task Rngs_name_resolves_to_every_pod_so_draws_spread_without_kube_proxy()
    {
        var rng = (await RenderAsync()).OfType<V1Service>().Single(s => s.Metadata.Name == "rng");

        // Headless: DNS answers with each ready pod; the worker takes them in turn, one per connection.
        Assert.Equal("None", rng.Spec.ClusterIP);
    }

    [Fact]
    public async Task The_workshops_kubectl_commands_work_on_these_objects()
    {
        var objects = await RenderAsync();

        // `kubectl get pods -l app=rng`, as the slides select.
        foreach (var item in objects.OfType<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Secret))
        {
            Assert.True(item.Metadata.Labels?.ContainsKey("app") == true, $"{item.Kind} {item.Metadata.Name} has no app label");
        }

        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            Assert.Equal(deployment.Metadata.Name, deployment.Spec.Template.Metadata.Labels["app"]);
            // `kubectl set image deployment/worker worker=…` names the container after the service.
            Assert.Equal(deployment.Metadata.Name, deployment.Spec.Template.Spec.Containers.Single().Name);
            // `kubectl rollout undo` needs the old ReplicaSets kept.
            Assert.True(deployment.Spec.RevisionHistoryLimit >= 2);
        }

        Assert.Equal(3, objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "worker").Spec.Replicas);
    }

    [Fact]
    public async Task The_redis_password_comes_from_the_secret_and_the_connection_string_refers_to_it()
    {
        var objects = await RenderAsync();
        var secret = objects.OfType<V1Secret>().Single();

        foreach (var name in new[] { "worker", "webui" })
        {
            var env = Pod(objects, name).Containers.Single().Env;
            var password = env.Single(e => e.Name == "REDIS_PASSWORD");
            Assert.Equal(secret.Metadata.Name, password.ValueFrom.SecretKeyRef.Name);
            var connection = env.Single(e => e.Name == "ConnectionStrings__redis");
            Assert.Equal("redis:6379,password=$(REDIS_PASSWORD)", connection.Value);
            // $(NAME) only expands from variables defined before it.
            Assert.True(env.IndexOf(password) < env.IndexOf(connection));
        }

        var workerEnv = Pod(objects, "worker").Containers.Single().Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("http://rng:8080", workerEnv["services__rng__http__0"]);
        Assert.Equal("http://hasher:8080", workerEnv["services__hasher__http__0"]);
    }

    [Fact]
    public async Task Network_policies_let_only_the_callers_in()
    {
        var objects = await RenderAsync();
        var policies = objects.OfType<V1NetworkPolicy>().ToList();

        Assert.True(CanReach(policies, "worker", "rng", Http));
        Assert.True(CanReach(policies, "worker", "hasher", Http));
        Assert.True(CanReach(policies, "worker", "redis", RedisPort));
        Assert.True(CanReach(policies, "webui", "redis", RedisPort));
        Assert.False(CanReach(policies, "webui", "rng", Http));
        Assert.False(CanReach(policies, "webui", "hasher", Http));
        Assert.False(CanReach(policies, "rng", "redis", RedisPort));
        Assert.False(CanReach(policies, "hasher", "redis", RedisPort));
        Assert.False(CanReach(policies, "rng", "hasher", Http));
        Assert.Equal(["webui", "worker"], Services.Where(from => CanReach(policies, from, "redis", RedisPort)));
        Assert.All(Services, from => Assert.True(CanReach(policies, from, "webui", Http)));
        Assert.True(CanReach(policies, null, "webui", Http), "the web UI is open from outside");
        Assert.False(CanReach(policies, null, "redis", RedisPort));

        // A caller is let in on the port its service listens on, and on no other.
        Assert.False(CanReach(policies, "worker", "redis", Http));
        Assert.False(CanReach(policies, "worker", "rng", RedisPort));
        Assert.False(CanReach(policies, null, "webui", RedisPort));
    }

    [Fact]
    public async Task Every_pod_passes_the_restricted_pod_security_profile()
    {
        foreach (var name in Services)
        {
            var pod = Pod(await RenderAsync(), name);
            Assert.NotEqual(true, pod.HostNetwork);
            Assert.NotEqual(true, pod.HostPID);
            Assert.NotEqual(true, pod.HostIPC);
            Assert.All(pod.Volumes ?? [], v => Assert.Null(v.HostPath));
            Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
            Assert.True(pod.SecurityContext.RunAsUser > 0);

            foreach (var container in pod.Containers)
            {
                var security = container.SecurityContext;
                Assert.False(security.AllowPrivilegeEscalation);
                Assert.NotEqual(true, security.Privileged);
                Assert.True(security.RunAsNonRoot ?? pod.SecurityContext.RunAsNonRoot);
                Assert.Contains("ALL", security.Capabilities.Drop);
                Assert.All(security.Capabilities.Add ?? [], added => Assert.Equal("NET_BIND_SERVICE", added));
                Assert.True(security.ReadOnlyRootFilesystem);
                Assert.NotNull(container.Resources.Requests);
                Assert.NotNull(container.Resources.Limits);
                Assert.NotNull(container.LivenessProbe);
                Assert.NotNull(container.ReadinessProbe);
            }
        }
    }

    [Theory]
    [InlineData("rng", "/health")]
    [InlineData("hasher", "/health")]
    [InlineData("worker", "/health")]
    // The page is useful without Redis (it shows the outage banner): Redis must not take it out of its Service.
    [InlineData("webui", "/alive")]
    public async Task Dotnet_services_live_on_alive_and_are_ready_where_they_are_useful(string name, string readiness)
    {
        var objects = await RenderAsync();
        var container = Pod(objects, name).Containers.Single();
        Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
        Assert.Equal(readiness, container.ReadinessProbe.HttpGet.Path);
    }

    private const int Http = 8080;
    private const int RedisPort = 6379;

    // A pod's port is reachable from another pod when some policy selecting it admits the caller
    // on that port (a rule without ports admits every port); a pod no policy selects would be
    // open, which the default deny rules out.
    private static bool CanReach(List<V1NetworkPolicy> policies, string? from, string to, int port)
    {
        var selecting = policies.Where(p => Selects(p.Spec.PodSelector, to)).ToList();
        if (selecting.Count == 0)
        {
            return true;
        }

        return selecting.SelectMany(p => p.Spec.Ingress ?? []).Any(rule =>
            (rule.Ports is null or { Count: 0 } || rule.Ports.Any(p => p.Port?.Value == port.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            && (rule.FromProperty is null or { Count: 0 }
                || (from is not null && rule.FromProperty.Any(peer => peer.PodSelector is not null && peer.NamespaceSelector is null && Selects(peer.PodSelector, from)))));
    }

    private static bool Selects(V1LabelSelector selector, string name) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(label => label.Key == NameLabel && label.Value == name)
        && selector.MatchExpressions is null or { Count: 0 };

    private static V1PodSpec Pod(List<object> objects, string name) =>
        objects.OfType<V1Deployment>().SingleOrDefault(d => d.Metadata.Name == name)?.Spec.Template.Spec
        ?? objects.OfType<V1StatefulSet>().Single(s => s.Metadata.Name == name).Spec.Template.Spec;

    private Task<List<object>> RenderAsync() => Kustomize.RenderAsync(Path.Combine(published.Output, "kubernetes"));
}
