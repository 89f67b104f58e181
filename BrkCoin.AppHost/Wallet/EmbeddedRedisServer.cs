using System.Globalization;
using Garnet;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Wallet;

/// <summary>Owns the Garnet server behind <see cref="EmbeddedRedisResource"/>; disposed with the AppHost.</summary>
public sealed class EmbeddedRedisServer : IDisposable
{
    private GarnetServer? _server;

    public bool IsRunning => _server is not null;

    public void Start(EmbeddedRedisResource resource, string password, ILoggerFactory loggerFactory)
    {
        Directory.CreateDirectory(resource.DataPath);
        string[] arguments =
        [
            "--bind", "127.0.0.1",
            "--port", resource.Port.ToString(CultureInfo.InvariantCulture),
            "--memory", resource.Memory,
            "--index", "1m",
            // The append-only file, committed on every write, is replayed on start: coins and the
            // hash counter outlive the AppHost, even one stopped right after a write.
            "--aof",
            "--aof-commit-freq", "0",
            "--recover",
            "--checkpointdir", resource.DataPath,
            // The default native device needs libaio, which a bare machine may lack.
            "--device-type", "RandomAccess",
            // Quiet: no banner on the AppHost's console; Garnet's logs go to the dashboard.
            "-q",
            // Every client must AUTH; the password reaches the services only through their
            // connection string.
            "--auth", "Password",
            "--password", password,
        ];

        _server = new GarnetServer(arguments, loggerFactory, cleanupDir: false, authenticationSettingsOverride: null);
        _server.Start();
    }

    public void Dispose()
    {
        _server?.Dispose();
        _server = null;
    }
}
