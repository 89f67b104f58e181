using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

[Collection(PublishedFilesCollection.Name)]
public sealed class ComposeFileTests(PublishedFilesFixture published)
{
    private static readonly string[] Projects = ["rng", "hasher", "worker", "webui"];
    private readonly ComposeFile _compose = new(published.Output);

    [Fact]
    public async Task The_compose_file_passes_docker_compose_config()
    {
        Prerequisite.Require(OnPath("docker-compose") ? null : "docker-compose is not installed (apt-get install docker-compose).");

        var (exitCode, output) = await BuiltProgram.RunAsync(
            new ProcessStartInfo("docker-compose", ["--project-directory", published.Output, "-f", Path.Combine(published.Output, "docker-compose.yaml"), "config", "--quiet"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
            TimeSpan.FromMinutes(1));

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task The_stack_file_passes_docker_stack_config_for_swarm()
    {
        // A quick check of the file's shape; `docker stack deploy` itself runs it on the real
        // engine (SwarmDeploymentTests), since `config` accepts files `deploy` refuses.
        var output = await StackConfigAsync(published.Output, _compose);

        Assert.Contains("replicas: 3", output);
        Assert.StartsWith("version: \"3.8\"", File.ReadAllLines(Path.Combine(published.Output, "docker-stack.yaml")).First(l => !l.StartsWith('#')));
    }

    [Fact]
    public async Task An_encrypted_overlay_stack_passes_docker_stack_config()
    {
        // The published files with Deploy:EncryptedOverlay (PublishedFilesUnchangedTests holds them
        // to what publish writes). No cluster test deploys it: the kernel here has no IPsec.
        var folder = Path.Combine(RepositoryRoot.Path, "BrkCoin.Tests", "Deployment", "Golden", "pernode");

        var output = await StackConfigAsync(folder, new ComposeFile(folder));

        // Every network of the file comes back from Docker's own reading with the option kept.
        var networks = ComposeFile.Map(new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<Dictionary<object, object>>(File.ReadAllText(Path.Combine(folder, "docker-stack.yaml")))["networks"]);
        Assert.Equal(4, networks.Count);
        Assert.Equal(networks.Count, System.Text.RegularExpressions.Regex.Matches(output, "driver: overlay\n\\s+driver_opts:\n\\s+encrypted: \"\"").Count);
    }

    private static async Task<string> StackConfigAsync(string folder, ComposeFile compose)
    {
        Prerequisite.Require(OnPath("docker") ? null : "the docker client is not installed.");
        var info = new ProcessStartInfo("docker", ["stack", "config", "-c", Path.Combine(folder, "docker-stack.yaml")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Swarm does not read .env: `docker stack config` takes the variables from the environment, as a shell's would be.
        foreach (var (name, value) in compose.Secrets)
        {
            info.Environment[name] = value;
        }

        var (exitCode, output) = await BuiltProgram.RunAsync(info, TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, output);
        return output;
    }

    [Fact]
    public void Every_resource_of_the_model_is_a_service()
    {
        Assert.Equal(["hasher", "redis", "rng", "webui", "worker"], _compose.ServiceNames.Order());
    }

    [Fact]
    public void Networks_reproduce_the_seed_isolation()
    {
        Assert.Equal(["rng"], _compose.Networks("rng"));
        Assert.Equal(["hasher"], _compose.Networks("hasher"));
        Assert.Equal(["redis"], _compose.Networks("redis"));
        Assert.Equal(["hasher", "redis", "rng"], _compose.Networks("worker"));
        Assert.Equal(["front", "redis"], _compose.Networks("webui"));

        // rng and hasher share no network with Redis, so they cannot reach it.
        Assert.Empty(_compose.Networks("rng").Intersect(_compose.Networks("redis")));
        Assert.Empty(_compose.Networks("hasher").Intersect(_compose.Networks("redis")));
        // webui reaches Redis but neither rng nor hasher.
        Assert.Empty(_compose.Networks("webui").Intersect(_compose.Networks("rng").Concat(_compose.Networks("hasher"))));
    }

    [Fact]
    public void The_redis_health_check_keeps_the_password_off_the_command_line()
    {
        var check = string.Join(' ', ComposeFile.List(ComposeFile.Map(_compose.Service("redis")["healthcheck"])["test"]));

        // `ps` on the host shows a command line; REDISCLI_AUTH stays in the environment.
        Assert.Contains("REDISCLI_AUTH=", check);
        Assert.DoesNotContain(" -a ", check);
    }

    [Fact]
    public void Dotnet_services_get_the_hosts_stop_budget_before_a_kill()
    {
        foreach (var name in new[] { "rng", "hasher", "worker", "webui" })
        {
            Assert.Equal("30s", _compose.Service(name)["stop_grace_period"]);
        }
    }

    [Fact]
    public void Only_the_front_network_leads_outside()
    {
        var networks = ComposeFile.Map(_compose.Root["networks"]);
        foreach (var name in new[] { "rng", "hasher", "redis" })
        {
            Assert.Equal("true", ComposeFile.Map(networks[name])["internal"]);
        }

        Assert.False(ComposeFile.Map(networks["front"]).ContainsKey("internal"));
        // Only what publishes a port sits on it.
        Assert.Equal(["webui"], _compose.ServiceNames.Where(s => _compose.Networks(s).Contains("front")));
    }

    [Fact]
    public void Every_service_is_read_only_restarts_always_and_checks_its_health()
    {
        foreach (var name in _compose.ServiceNames)
        {
            var service = _compose.Service(name);
            Assert.Equal("true", service["read_only"]);
            Assert.Equal("always", service["restart"]);
            Assert.Contains("/tmp", ComposeFile.List(service["tmpfs"]));
            Assert.NotEmpty(ComposeFile.List(ComposeFile.Map(service["healthcheck"])["test"]));
            Assert.DoesNotMatch("^0(:|$)", (string)service["user"]);
        }
    }

    [Fact]
    public void Replicas_come_from_the_model()
    {
        Assert.Equal("3", ComposeFile.Map(_compose.Service("worker")["deploy"])["replicas"]);
        Assert.Equal("1", ComposeFile.Map(_compose.Service("rng")["deploy"])["replicas"]);
    }

    [Fact]
    public void Redis_keeps_its_data_on_a_named_volume_behind_a_password_from_env()
    {
        var redis = _compose.Service("redis");

        Assert.Equal(["redis-data:/data"], ComposeFile.List(redis["volumes"]));
        Assert.Contains("redis-data", ComposeFile.Map(_compose.Root["volumes"]).Keys);
        Assert.Equal("${REDIS_PASSWORD}", _compose.Environment("redis")["REDIS_PASSWORD"]);
        // $$ reaches the container as $, so its shell reads the password from the environment and
        // hands it to redis-server as configuration on standard input, never as an argument.
        var script = RedisStartScript();
        Assert.Contains("requirepass \"$REDIS_PASSWORD\"", script);
        Assert.DoesNotContain("--requirepass", script);
        Assert.True(_compose.Secrets["REDIS_PASSWORD"].Length >= 16);
    }

    [Fact]
    public async Task Redis_started_by_the_published_command_asks_for_the_password_it_never_sees_in_its_arguments()
    {
        var redisServer = Tool.Find("redis-server");
        Prerequisite.Require(redisServer is null ? "redis-server is not installed (apt-get install redis-server)." : null);
        var data = Directory.CreateTempSubdirectory("brkcoin-redis-start-").FullName;
        var port = FreePort.OnLoopback();
        // redis-server rewrites its own process title, so /proc would not show what it was given:
        // a wrapper writes down its arguments before it becomes redis-server.
        var seen = Path.Combine(data, "arguments");
        var wrapper = Path.Combine(data, "redis-server");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > {seen}\nexec {redisServer} \"$@\"\n", TestContext.Current.CancellationToken);
        // The published script as the container's shell runs it, on a loopback port and a scratch
        // folder instead of the container's 6379 and /data.
        var script = RedisStartScript()
            .Replace("redis-server -", $"sh {wrapper} - --port {port} --bind 127.0.0.1", StringComparison.Ordinal)
            .Replace("--dir /data", $"--dir {data}", StringComparison.Ordinal);
        const string password = "Start-Command_Pw.~+/@!%^*()[]{}:?1";
        var start = new ProcessStartInfo("sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["REDIS_PASSWORD"] = password;
        using var server = Process.Start(start)!;
        try
        {
            await using var withPassword = await Eventually.ReturnsAsync(
                () => StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},password={password},abortConnect=false"),
                redis => redis.IsConnected,
                TimeSpan.FromSeconds(20),
                "redis-server to accept the password");
            Assert.Equal("PONG", (await withPassword.GetDatabase().ExecuteAsync("PING")).ToString());
            await using var without = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false");
            var refused = await Assert.ThrowsAnyAsync<StackExchange.Redis.RedisException>(() => without.GetDatabase().StringGetAsync("hashes"));
            Assert.Contains("NOAUTH", refused.ToString());

            var arguments = await File.ReadAllTextAsync(seen, TestContext.Current.CancellationToken);
            Assert.Contains("--appendonly", arguments);
            Assert.DoesNotContain(password, arguments);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
            Directory.Delete(data, recursive: true);
        }
    }

    private string RedisStartScript() =>
        _compose.Interpolate(ComposeFile.List(_compose.Service("redis")["command"]).Last());

    [Fact]
    public void Services_find_each_other_by_the_names_they_read()
    {
        var worker = _compose.Environment("worker");
        Assert.Equal("http://rng:8080", worker["services__rng__http__0"]);
        Assert.Equal("http://hasher:8080", worker["services__hasher__http__0"]);
        Assert.Equal("redis:6379,password=${REDIS_PASSWORD}", worker["ConnectionStrings__redis"]);
        Assert.Equal("redis:6379,password=${REDIS_PASSWORD}", _compose.Environment("webui")["ConnectionStrings__redis"]);
        Assert.DoesNotContain(worker.Keys, key => key.Contains("https", StringComparison.OrdinalIgnoreCase));
        // Throughput mode was on when these files were written: its settings travel too.
        Assert.Equal("0", _compose.Environment("rng")["Rng__Latency"]);
    }

    [Fact]
    public void Only_the_web_ui_is_published_on_8080()
    {
        Assert.Equal(["8080:8080"], ComposeFile.List(_compose.Service("webui")["ports"]));
        Assert.All(_compose.ServiceNames.Where(n => n != "webui"), name => Assert.False(_compose.Service(name).ContainsKey("ports")));
    }

    [Fact]
    public async Task Project_images_carry_the_names_the_sdk_builds()
    {
        foreach (var project in Projects)
        {
            var csproj = $"BrkCoin.{(project == "webui" ? "WebUi" : char.ToUpperInvariant(project[0]) + project[1..])}";
            var (exitCode, repository) = await MsBuildQuery.RunAsync(csproj, "-getProperty:ContainerRepository");

            Assert.Equal(0, exitCode);
            Assert.Equal($"{repository.Trim()}:latest", _compose.Service(project)["image"]);
        }
    }

    private static bool OnPath(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, name)));
}
