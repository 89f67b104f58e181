using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Services;

/// <summary>BrkCoin's built services as real processes on loopback ports, killed on dispose.</summary>
public sealed class LoopbackServices : IDisposable
{
    private readonly List<Process> _processes = [];

    public Dictionary<string, int> Ports { get; } = [];

    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    private void Keep(string project, string? line)
    {
        if (line is not null)
        {
            Logs.Enqueue($"{project}: {line}");
        }
    }

    /// <summary>Starts <paramref name="project"/> on a free 127.0.0.1 port with the given settings.</summary>
    public int Start(string project, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort.OnLoopback();
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var process = Process.Start(BuiltProgram.StartInfo(project, [], environment))!;
        // Keep the logs: a failing test shows what the service said.
        process.OutputDataReceived += (_, line) => Keep(project, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(project, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        Ports[project] = port;
        return port;
    }

    public async Task WaitAliveAsync()
    {
        using var http = new HttpClient();
        foreach (var port in Ports.Values)
        {
            await Eventually.ReturnsAsync(() => http.GetAsync($"http://127.0.0.1:{port}/alive"), r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(60), $"the service on {port} to start");
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }
}
