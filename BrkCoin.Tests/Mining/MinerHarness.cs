using BrkCoin.Tests.Support;
using BrkCoin.Worker;
using BrkCoin.Worker.Clients;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BrkCoin.Tests.Mining;

/// <summary>
/// The worker's real mining services, wired as in its Program, with fakes at the three ends; or
/// with a real wallet given by <c>wallet</c> (a <see cref="RedisWallet"/> on a real redis-server).
/// </summary>
public sealed class MinerHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public MinerHarness(Action<WorkerOptions>? configure = null, Func<IServiceProvider, IWallet>? wallet = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs));
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
        if (wallet is null)
        {
            services.AddSingleton<IWallet>(Wallet);
        }
        else
        {
            services.AddSingleton(wallet);
        }

        services.AddMiningLoop();
        _services = services.BuildServiceProvider();
    }

    public FakeRng Rng { get; } = new();

    public FakeHasher Hasher { get; } = new();

    /// <summary>The wallet, unless the harness was given a real one.</summary>
    public FakeWallet Wallet { get; } = new();

    /// <summary>Every line the mining services logged.</summary>
    public RecordingLoggerProvider Logs { get; } = new();

    /// <summary>The factory the miner's instruments come from: tells its measurements from other tests'.</summary>
    public System.Diagnostics.Metrics.IMeterFactory MeterFactory => _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();

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

        await loop.CoinsStoredAsync();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
