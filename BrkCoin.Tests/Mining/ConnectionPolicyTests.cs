using System.Collections.Concurrent;
using BrkCoin.Worker;
using BrkCoin.Worker.Clients;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BrkCoin.Tests.Mining;

/// <summary>
/// Every balancer in front of rng replicas (DCP's proxy, Docker DNS, Swarm's VIP, kube-proxy)
/// picks a replica per connection, so the worker's connection policy decides whether scaling rng
/// helps. These tests count the TCP connections a real Kestrel server sees.
/// </summary>
public sealed class ConnectionPolicyTests : IAsyncLifetime
{
    private readonly ConcurrentBag<string> _connections = [];
    private WebApplication? _server;
    private Uri _address = null!;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/{n:int}", (int n, HttpContext context) =>
        {
            _connections.Add(context.Connection.Id);
            return Results.Bytes(new byte[n], "application/octet-stream");
        });
        _server.MapGet("/down/{n:int}", (int n, HttpContext context) =>
        {
            _connections.Add(context.Connection.Id);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        });
        _server.MapPost("/", (HttpContext context) =>
        {
            _connections.Add(context.Connection.Id);
            return Results.Text(new string('0', 64));
        });
        await _server.StartAsync(Cancel);
        _address = new Uri(_server.Urls.Single());
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task By_default_every_draw_and_every_hash_opens_its_own_connection()
    {
        using var services = Clients(reuse: null);

        await CallFiveTimesEachAsync(services);

        Assert.Equal(10, _connections.Count);
        Assert.Equal(10, _connections.Distinct().Count());
    }

    [Fact]
    public async Task With_connection_reuse_the_calls_share_a_connection()
    {
        using var services = Clients(reuse: "00:01:00");

        await CallFiveTimesEachAsync(services);

        Assert.Equal(10, _connections.Count);
        // One connection for rng's client and one for hasher's: each typed client has its own pool.
        Assert.Equal(2, _connections.Distinct().Count());
    }

    [Fact]
    public async Task A_failed_draw_is_tried_once_the_mining_loop_alone_retries()
    {
        // As in the services: every client gets the standard resilience handler by default.
        using var services = Clients(reuse: null, rngPath: "down/", standardResilience: true);

        await Assert.ThrowsAsync<HttpRequestException>(() => services.GetRequiredService<IRngClient>().GetRandomBytesAsync(32, Cancel));

        Assert.Single(_connections);
    }

    private async Task CallFiveTimesEachAsync(ServiceProvider services)
    {
        var rng = services.GetRequiredService<IRngClient>();
        var hasher = services.GetRequiredService<IHasherClient>();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(32, (await rng.GetRandomBytesAsync(32, Cancel)).Length);
            Assert.Equal(64, (await hasher.HashAsync([1, 2, 3], Cancel)).Length);
        }
    }

    private ServiceProvider Clients(string? reuse, string rngPath = "", bool standardResilience = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Worker:RngUrl"] = new Uri(_address, rngPath).ToString(),
            ["Worker:HasherUrl"] = _address.ToString(),
        };
        if (reuse is not null)
        {
            settings["Worker:ConnectionReuse"] = reuse;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section));
        if (standardResilience)
        {
            services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        }

        services.AddMinerClients();
        return services.BuildServiceProvider();
    }
}
