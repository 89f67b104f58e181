using System.Diagnostics;

namespace BrkCoin.Tests.Support;

/// <summary>
/// A real redis-server as deployed: every write in its append-only file, fsync always, on a
/// loopback port and a data folder of its own, which can be killed and started again in place.
/// </summary>
public sealed class DurableRedisServer : IDisposable
{
    private readonly string _dataPath = Directory.CreateTempSubdirectory("brkcoin-aof-").FullName;
    private Process? _server;

    public int Port { get; } = FreePort.OnLoopback();

    public string ConnectionString => $"127.0.0.1:{Port}";

    public void Start()
    {
        _server = Process.Start(new ProcessStartInfo(Tool.Find("redis-server") ?? "redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _dataPath,
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
    }

    /// <summary>kill -9: no shutdown, no last save; only what the append-only file already holds survives.</summary>
    public void Kill()
    {
        _server?.Kill();
        _server?.WaitForExit();
        _server?.Dispose();
        _server = null;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
