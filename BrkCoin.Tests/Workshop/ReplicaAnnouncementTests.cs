using Aspire.Hosting;
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
/// The workers are told of an rng replica once it answers on its own port, however long after
/// Aspire calls it running that is, and without waiting for Aspire's (proxy-wide) health; they
/// are told it is gone when it stops. Driven with Aspire's own notification service and a real
/// listener that starts late, as a replica on a slow machine does; no AppHost starts.
/// </summary>
public sealed class ReplicaAnnouncementTests : IAsyncDisposable
{
    private const string Addresses = "Worker:RngReplicas";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly WorkshopControls _controls = new(new LiveSettings());
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly ResourceNotificationService _notifications;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Replica _rng = new("rng");
    private readonly int _port = FreePort.OnLoopback();
    private WebApplication? _listener;

    public ReplicaAnnouncementTests()
    {
        _notifications = new ResourceNotificationService(
            NullLogger<ResourceNotificationService>.Instance,
            new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance),
            _services,
            new ResourceLoggerService());
        _controls.AddPool("rng", initial: 1, max: 1, "Workshop:Rng", Addresses);
        _ = _controls.FollowReplicasAsync(_notifications, NullLogger.Instance, _stopping.Token);
    }

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    private Uri Own => new($"http://127.0.0.1:{_port}");

    [Fact]
    public async Task A_replica_that_answers_late_is_announced_once_it_answers_and_dropped_when_it_stops()
    {
        // Running, with no health reported at all, and nothing listening on its port yet.
        await PublishAsync(KnownResourceStates.Running);
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        Assert.Empty(Announced());

        _listener = await ListenAsync();
        await Eventually.ReturnsAsync(() => Task.FromResult(Announced()), a => a.SequenceEqual([Own]), Deadline, "the replica announced once it answers");

        await PublishAsync(KnownResourceStates.Finished);
        await Eventually.ReturnsAsync(() => Task.FromResult(Announced()), a => a.Count == 0, Deadline, "the stopped replica no longer announced");
    }

    // Aspire's health status cannot be set from outside its health service; none is reported here.
    private Task PublishAsync(string state) =>
        _notifications.PublishUpdateAsync(_rng, "rng-abc", snapshot => snapshot with
        {
            State = state,
            EnvironmentVariables = [new EnvironmentVariableSnapshot("ASPNETCORE_URLS", Own.ToString().TrimEnd('/'), true)],
        });

    private List<Uri> Announced() =>
        [.. (_controls.Settings.Get(Addresses)?.AsArray() ?? []).Select(node => new Uri(node!.GetValue<string>()))];

    private async Task<WebApplication> ListenAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Own.ToString());
        var app = builder.Build();
        app.MapGet("/health", () => Results.Text("Healthy"));
        await app.StartAsync(Cancel);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        _notifications.Dispose();
        await _services.DisposeAsync();
        _controls.Settings.Dispose();
        _stopping.Dispose();
    }

    private sealed class Replica(string name) : Resource(name);
}
