using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Services;

/// <summary>BrkCoin's built services as real processes on loopback ports, killed on dispose.</summary>
public sealed class LoopbackServices : IDisposable
{
    private readonly Dictionary<string, Process> _processes = [];
    private readonly Dictionary<string, Dictionary<string, string>> _environments = [];

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
    public int Start(string project, IReadOnlyDictionary<string, string>? settings = null, int? port = null)
    {
        var chosen = port ?? FreePort.OnLoopback();
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{chosen}",
            ["HTTP_PORTS"] = chosen.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _environments[project] = environment;
        var process = Process.Start(BuiltProgram.StartInfo(project, [], environment))!;
        // Keep the logs: a failing test shows what the service said.
        process.OutputDataReceived += (_, line) => Keep(project, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(project, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[project] = process;
        Ports[project] = chosen;
        return chosen;
    }

    /// <summary>Sends a signal to the service's process (KILL, STOP, CONT, TERM).</summary>
    public async Task SignalAsync(string project, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _processes[project].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (signal == "KILL")
        {
            await _processes[project].WaitForExitAsync();
        }
    }

    /// <summary>Starts the service again on the same port with the same settings.</summary>
    public void Restart(string project)
    {
        _processes[project].Dispose();
        var environment = _environments[project];
        Start(project, environment.Where(e => e.Key is not ("ASPNETCORE_URLS" or "HTTP_PORTS")).ToDictionary(), Ports[project]);
    }

    /// <summary>Waits for the service to exit by itself (after TERM, say).</summary>
    public Task WaitForExitAsync(string project, CancellationToken cancellationToken) =>
        _processes[project].WaitForExitAsync(cancellationToken);

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
        foreach (var process in _processes.Values)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }
}
