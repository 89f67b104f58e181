using System.Diagnostics;
using StackExchange.Redis;

namespace BrkCoin.Tests.Support;

/// <summary>
/// A real redis-server (Debian's package) on a free loopback port, without persistence. On a
/// machine without it, <see cref="Missing"/> says so and the tests that need it skip (fail in CI).
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private Process? _server;

    /// <summary>When set, the server requires it (requirepass), as a deployed Redis does.</summary>
    public string? Password { get; init; }

    public int Port { get; } = FreePort.OnLoopback();

    public string ConnectionString => $"127.0.0.1:{Port}";

    public string? Missing { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var executable = Tool.Find("redis-server");
        if (executable is null)
        {
            Missing = "redis-server is not installed (apt-get install redis-server).";
            return;
        }

        string[] arguments = ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"];
        if (Password is not null)
        {
            arguments = [.. arguments, "--requirepass", Password];
        }

        _server = Process.Start(new ProcessStartInfo(executable, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });

        await Eventually.ReturnsAsync(
            async () =>
            {
                await using var redis = await ConnectionMultiplexer.ConnectAsync(
                    Password is null ? ConnectionString : $"{ConnectionString},password={Password}");
                return redis.IsConnected;
            },
            connected => connected,
            TimeSpan.FromSeconds(20),
            "redis-server to accept connections");
    }

    public ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            _server.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
