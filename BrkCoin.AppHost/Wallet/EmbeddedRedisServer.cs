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
        var arguments = GarnetCommandLine.For(resource, password);
        _server = new GarnetServer(arguments, loggerFactory, cleanupDir: false, authenticationSettingsOverride: null);
        _server.Start();
    }

    public void Dispose()
    {
        _server?.Dispose();
        _server = null;
    }
}
