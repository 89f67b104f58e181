using System.Collections.Concurrent;
using BrkCoin.Tests.Support;
using BrkCoin.Worker.Clients;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace BrkCoin.Tests.Mining;

/// <summary>
/// Three rng "replicas" on 127.0.0.1, .2 and .3, one name resolving to all three (as Docker's DNS
/// answers for a scaled service, shuffled): the worker's calls must visit them in turn.
/// </summary>
public sealed class ReplicaRoundRobinTests : IAsyncLifetime
{
    private static readonly IPAddress[] Replicas = [IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")];
    private readonly ConcurrentQueue<string> _served = new();
    private readonly List<WebApplication> _servers = [];
    private readonly int _port = FreePort.OnLoopback();

    public async ValueTask InitializeAsync()
    {
        foreach (var address in Replicas)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://{address}:{_port}");
            var server = builder.Build();
            server.MapGet("/{n:int}", (int n, HttpContext context) =>
            {
                _served.Enqueue(context.Connection.LocalIpAddress!.ToString());
                return Results.Bytes(new byte[n], "application/octet-stream");
            });
            await server.StartAsync(TestContext.Current.CancellationToken);
            _servers.Add(server);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Each_new_connection_goes_to_the_next_replica_whatever_order_dns_answers_in()
    {
        var roundRobin = new ReplicaRoundRobin((_, _) => Task.FromResult(Replicas.OrderBy(_ => Random.Shared.Next()).ToArray()));
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, ConnectCallback = roundRobin.ConnectAsync };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://rng:{_port}") };
        var rng = new RngClient(http);

        for (var i = 0; i < 9; i++)
        {
            await rng.GetRandomBytesAsync(8, TestContext.Current.CancellationToken);
        }

        var served = _served.ToList();
        Assert.Equal(9, served.Count);
        // Every replica three times, and never the same one twice in a row.
        Assert.All(Replicas, replica => Assert.Equal(3, served.Count(s => s == replica.ToString())));
        Assert.All(served.Zip(served.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public async Task A_replica_that_went_away_is_skipped()
    {
        await _servers[1].StopAsync(TestContext.Current.CancellationToken);
        var roundRobin = new ReplicaRoundRobin((_, _) => Task.FromResult(Replicas));
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, ConnectCallback = roundRobin.ConnectAsync };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://rng:{_port}") };
        var rng = new RngClient(http);

        for (var i = 0; i < 6; i++)
        {
            await rng.GetRandomBytesAsync(8, TestContext.Current.CancellationToken);
        }

        Assert.Equal(6, _served.Count);
        Assert.DoesNotContain("127.0.0.2", _served);
    }

    [Fact]
    public async Task Replicas_the_apphost_announced_are_taken_in_turn_instead_of_the_proxy()
    {
        // The name resolves to one address, as Aspire's proxy on localhost does in run mode; the
        // AppHost's list names the replicas behind it.
        var announced = new List<Uri> { new($"http://127.0.0.2:{_port}/"), new($"http://127.0.0.3:{_port}/") };
        var roundRobin = new ReplicaRoundRobin((_, _) => Task.FromResult(Replicas[..1]), () => announced);
        var rng = Client(roundRobin, $"http://127.0.0.1:{_port}");

        for (var i = 0; i < 6; i++)
        {
            await rng.GetRandomBytesAsync(8, TestContext.Current.CancellationToken);
        }

        // In turn from wherever this worker started: the two alternate, never the proxy's address.
        Assert.Equal(6, _served.Count);
        Assert.Equal(3, _served.Count(s => s == "127.0.0.2"));
        Assert.Equal(3, _served.Count(s => s == "127.0.0.3"));
        Assert.All(_served.Zip(_served.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));

        // The list follows the AppHost's rewrites: a replica added is visited from the next call.
        announced.Add(new Uri($"http://127.0.0.1:{_port}/"));
        _served.Clear();
        for (var i = 0; i < 6; i++)
        {
            await rng.GetRandomBytesAsync(8, TestContext.Current.CancellationToken);
        }

        Assert.All(Replicas, replica => Assert.Equal(2, _served.Count(s => s == replica.ToString())));
    }

    [Fact]
    public async Task When_every_announced_replica_is_gone_the_proxy_still_answers()
    {
        await _servers[1].StopAsync(TestContext.Current.CancellationToken);
        var roundRobin = new ReplicaRoundRobin(announced: () => [new Uri($"http://127.0.0.2:{_port}/")]);
        var rng = Client(roundRobin, $"http://127.0.0.1:{_port}");

        await rng.GetRandomBytesAsync(8, TestContext.Current.CancellationToken);

        Assert.Equal(["127.0.0.1"], _served.ToList());
    }

    private static RngClient Client(ReplicaRoundRobin roundRobin, string baseAddress)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, ConnectCallback = roundRobin.ConnectAsync };
        return new RngClient(new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(baseAddress) });
    }
}
