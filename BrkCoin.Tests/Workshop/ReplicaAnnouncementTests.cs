using Aspire.Hosting.ApplicationModel;
using BrkCoin.AppHost.Workshop;
using BrkCoin.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace BrkCoin.Tests.Workshop;

/// <summary>
/// The workers are told of an rng replica once it answers on its own port, and not before; of a
/// replica that moves, at its new port only; of one that stops, no more; and of replicas started
/// together, of every one. Driven with Aspire's own notification service and real listeners
/// whose /health refuses until a test lets it answer; no AppHost starts.
/// </summary>
public sealed class ReplicaAnnouncementTests : IAsyncDisposable
{
    private const string Addresses = "Worker:RngReplicas";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly WorkshopControls _controls = new(new LiveSettings());
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly ResourceNotificationService _notifications;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _following;
    private readonly Service _rng = new("rng");
    private readonly List<FakeReplica> _replicas = [];

    public ReplicaAnnouncementTests()
    {
        _notifications = new ResourceNotificationService(
            NullLogger<ResourceNotificationService>.Instance,
            new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance),
            _services,
            new ResourceLoggerService());
        _controls.AddPool("rng", initial: 1, max: 5, "Workshop:Rng", Addresses);
        _following = _controls.FollowReplicasAsync(_notifications, NullLogger.Instance, _stopping.Token);
    }

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_replica_is_announced_once_it_answers_at_its_own_port_and_taken_off_when_it_moves_or_stops()
    {
        var first = await StartReplicaAsync();
        await PublishAsync("rng-a", KnownResourceStates.Running, first);

        // Running, as Aspire says, but not answering yet: asked again and again, never announced.
        await Eventually.ReturnsAsync(() => Task.FromResult(first.Asked), asked => asked >= 5, Deadline, "the replica asked five times");
        Assert.Empty(Announced());

        first.Answering = true;
        await AnnouncedAsync([first.Address], "the replica announced once it answers");

        // Restarted on another port: the old address goes at once, the new one once it answers.
        var moved = await StartReplicaAsync();
        await PublishAsync("rng-a", KnownResourceStates.Running, moved);
        await AnnouncedAsync([], "the old port taken off");
        await Eventually.ReturnsAsync(() => Task.FromResult(moved.Asked), asked => asked >= 2, Deadline, "the new port asked");
        Assert.Empty(Announced());
        moved.Answering = true;
        await AnnouncedAsync([moved.Address], "the replica announced at its new port");

        await PublishAsync("rng-a", KnownResourceStates.Finished, replica: null);
        await AnnouncedAsync([], "the stopped replica no longer announced");
    }

    [Fact]
    public async Task Replicas_started_together_are_all_announced()
    {
        var started = new List<FakeReplica>();
        for (var i = 0; i < 4; i++)
        {
            var replica = await StartReplicaAsync();
            replica.Answering = true;
            started.Add(replica);
        }

        await Task.WhenAll(started.Select((replica, i) => PublishAsync($"rng-{i}", KnownResourceStates.Running, replica)));

        await AnnouncedAsync([.. started.Select(r => r.Address)], "all four replicas announced");
    }

    [Fact]
    public void A_later_state_change_at_the_same_address_keeps_the_replica_announced()
    {
        var pool = new ReplicaPool("rng", initial: 1, max: 1, "Workshop:Rng", Addresses);
        var own = new Uri("http://127.0.0.1:5001/");
        pool.Observe("rng-a", KnownResourceStates.Running, own);
        Assert.True(pool.Announce("rng-a", own));

        // Aspire publishes more changes of a running replica (its health, its URLs): none undoes the announcement.
        Assert.False(pool.Observe("rng-a", KnownResourceStates.Running, own));
        Assert.Equal([own], pool.Serving);
        Assert.Empty(pool.Unannounced);
    }

    [Fact]
    public void An_answer_that_comes_back_after_the_replica_stopped_or_moved_announces_nothing()
    {
        var pool = new ReplicaPool("rng", initial: 1, max: 2, "Workshop:Rng", Addresses);
        var before = new Uri("http://127.0.0.1:5001/");
        pool.Observe("rng-a", KnownResourceStates.Running, before);
        pool.Observe("rng-b", KnownResourceStates.Running, before);
        Assert.Equal(2, pool.Unannounced.Count);

        // Asked while running; the answer arrives after it stopped, or after it restarted elsewhere.
        pool.Observe("rng-a", KnownResourceStates.Finished);
        pool.Observe("rng-b", KnownResourceStates.Running, new Uri("http://127.0.0.1:5002/"));
        Assert.False(pool.Announce("rng-a", before));
        Assert.False(pool.Announce("rng-b", before));
        Assert.Empty(pool.Serving);
        Assert.Equal([("rng-b", new Uri("http://127.0.0.1:5002/"))], pool.Unannounced);
    }

    // As DCP's snapshot carries it: the state and the replica's own ASPNETCORE_URLS while it runs.
    private Task PublishAsync(string replicaId, string state, FakeReplica? replica) =>
        _notifications.PublishUpdateAsync(_rng, replicaId, snapshot => snapshot with
        {
            State = state,
            EnvironmentVariables = replica is null ? [] : [new EnvironmentVariableSnapshot("ASPNETCORE_URLS", replica.Address.ToString().TrimEnd('/'), true)],
        });

    private List<Uri> Announced() =>
        [.. (_controls.Settings.Get(Addresses)?.AsArray() ?? []).Select(node => new Uri(node!.GetValue<string>()))];

    // In any order: the file lists replicas by id, not by port.
    private Task AnnouncedAsync(Uri[] expected, string what) =>
        Eventually.ReturnsAsync(() => Task.FromResult(InWords(Announced())), list => list == InWords(expected), Deadline, what);

    private static string InWords(IEnumerable<Uri> addresses) => string.Join(" ", addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));

    private async Task<FakeReplica> StartReplicaAsync()
    {
        var replica = await FakeReplica.StartAsync(Cancel);
        _replicas.Add(replica);
        return replica;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _following;
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        _notifications.Dispose();
        await _services.DisposeAsync();
        _controls.Dispose();
        _stopping.Dispose();
    }

    private sealed class Service(string name) : Resource(name);

    /// <summary>A replica on a loopback port of its own, whose /health fails until <see cref="Answering"/>.</summary>
    private sealed class FakeReplica : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _asked;

        private FakeReplica(WebApplication app) => _app = app;

        public volatile bool Answering;

        public int Asked => Volatile.Read(ref _asked);

        public Uri Address => new(_app.Urls.Single());

        public static async Task<FakeReplica> StartAsync(CancellationToken cancel)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var replica = new FakeReplica(app);
            app.MapGet("/health", () =>
            {
                Interlocked.Increment(ref replica._asked);
                return replica.Answering ? Results.Text("Healthy") : Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            });
            await app.StartAsync(cancel);
            return replica;
        }

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }
}
