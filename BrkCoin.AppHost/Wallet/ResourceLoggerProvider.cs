using Microsoft.Extensions.Logging;
namespace BrkCoin.AppHost.Wallet;

/// <summary>
/// Sends an in-process server's logs to its resource's console in the dashboard, where the
/// logs of every other resource are.
/// </summary>
public sealed class ResourceLoggerProvider(ILogger resourceLogger) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => resourceLogger;

    public void Dispose()
    {
    }
}
