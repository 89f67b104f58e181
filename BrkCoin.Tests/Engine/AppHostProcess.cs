using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// The AppHost in run mode as its own process, as `dotnet run` starts it, pointed at the private
/// engine through DOCKER_HOST (set for it alone, so the other tests keep seeing no engine).
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    // `dotnet run` starts the AppHost as its child and does not pass Ctrl+C on (a terminal
    // signals the whole group): the AppHost itself must be told, or DCP's services outlive it.
    private readonly bool _signalChildren;

    private AppHostProcess(Process process, bool signalChildren = false)
    {
        _process = process;
        _signalChildren = signalChildren;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static AppHostProcess Start(DockerEngineFixture engine, params string[] arguments) =>
        Start(new Dictionary<string, string> { ["DOCKER_HOST"] = engine.DockerHost }, arguments);

    /// <summary>Starts it with <paramref name="environment"/> added to what every run here gets.</summary>
    public static AppHostProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = BuiltProgram.StartInfo("BrkCoin.AppHost", arguments, new Dictionary<string, string>(environment)
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.OnLoopback()}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.OnLoopback()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.OnLoopback()}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            // As Aspire.Hosting.Testing does: free ports for every service, so runs never collide.
            ["DcpPublisher__RandomizePorts"] = "true",
        });
        return new AppHostProcess(Process.Start(info)!);
    }

    /// <summary>
    /// README's run command typed literally at the repository root (read from README.md), with
    /// <paramref name="environment"/> added: the launch profile, ports and build as a newcomer gets them.
    /// </summary>
    public static AppHostProcess StartAsReadmeRuns(IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet", ReadmeCommands.Run.DotnetArguments)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var inherited in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return new AppHostProcess(Process.Start(info)!, signalChildren: true);
    }

    /// <summary>Waits for the AppHost to announce the web UI, and returns a client for it.</summary>
    public async Task<HttpClient> WebUiAsync(TimeSpan deadline)
    {
        var url = await Eventually.ReturnsAsync(
            () => Task.FromResult(WebUiLine().Match(Output) is { Success: true } m ? m.Groups[1].Value : null),
            found => found is not null || _process.HasExited,
            deadline,
            "the AppHost to announce the web UI");
        if (url is null)
        {
            Assert.Fail($"The AppHost exited ({_process.ExitCode}) before announcing the web UI:\n{Output}");
        }

        return new HttpClient { BaseAddress = new Uri(url!), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Ends it at once with SIGKILL, as a crash or the OOM killer would: nothing of it runs after.</summary>
    public async Task KillAsync()
    {
        // Under `dotnet run` the AppHost is a child: a crash of the whole command takes it too.
        _process.Kill(entireProcessTree: _signalChildren);
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops it as Ctrl+C would, so DCP stops the containers it started.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        // Ctrl+C in a terminal reaches the whole group: `dotnet run` and the AppHost it started.
        int[] pids = _signalChildren ? [_process.Id, .. ChildrenOf(_process.Id)] : [_process.Id];
        using (var term = Process.Start("kill", ["-INT", .. pids.Select(pid => pid.ToString(System.Globalization.CultureInfo.InvariantCulture))]))
        {
            await term.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>The processes whose parent is <paramref name="parent"/>, read from /proc (no procps needed).</summary>
    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(folder, "stat"));
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }

            // "pid (name) state ppid …": the name may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], out var ppid) && ppid == parent)
            {
                yield return pid;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    [GeneratedRegex(@"BrkCoin web UI: (http://\S+)")]
    private static partial Regex WebUiLine();
}
