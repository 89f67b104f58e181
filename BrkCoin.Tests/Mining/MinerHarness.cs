using BrkCoin.Worker;
using BrkCoin.Worker.Clients;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BrkCoin.Tests.Mining;

/// <summary>The worker's real mining services, wired as in its Program, with fakes at the three ends.</summary>
public sealed class MinerHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public MinerHarness(Action<WorkerOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddOptions<WorkerOptions>().Configure(options =>
        {
            options.Pause = TimeSpan.Zero;
            options.RetryDelay = TimeSpan.FromMilliseconds(1);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(5);
            configure?.Invoke(options);
        });
        services.AddSingleton<IRngClient>(Rng);
        services.AddSingleton<IHasherClient>(Hasher);
        services.AddSingleton<IWallet>(Wallet);
        services.AddMiningLoop();
        _services = services.BuildServiceProvider();
    }

    public FakeRng Rng { get; } = new();

    public FakeHasher Hasher { get; } = new();

    public FakeWallet Wallet { get; } = new();

    public HashCounter Counter => _services.GetRequiredService<HashCounter>();

    public WorkerStatus Status => _services.GetRequiredService<WorkerStatus>();

    public MiningLoop NewLoop() => _services.GetRequiredService<MiningLoop>();

    public IHostedService Miner => _services.GetServices<IHostedService>().OfType<MinerService>().Single();

    public async Task MineUnitsAsync(int units)
    {
        var loop = NewLoop();
        for (var i = 0; i < units; i++)
        {
            await loop.MineOneUnitAsync(TestContext.Current.CancellationToken, TestContext.Current.CancellationToken);
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
