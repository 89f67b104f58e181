using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>
/// Runs the tools a deployment drives (the SDK, docker, docker-compose) as child processes, with
/// the user's environment (so DOCKER_HOST and the SDK's container settings reach them), each
/// line of output in the step's log, and a deadline. <paramref name="toolEnvironment"/> is added to
/// every tool's (destroy's DOCKER_HOST from the deployment's record).
/// </summary>
public sealed class CommandRunner(ILogger logger, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? toolEnvironment = null)
{
    public sealed record Result(int ExitCode, string Output);

    /// <summary>Runs to the end; the caller decides what a non-zero exit means.</summary>
    public async Task<Result> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, bool quiet = false)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in (toolEnvironment ?? new Dictionary<string, string>()).Concat(environment ?? new Dictionary<string, string>()))
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        DataReceivedEventHandler collect = (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line.Data);
            }

            if (!quiet)
            {
                logger.LogDebug("{Program}: {Line}", program, line.Data);
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new DeployFailedException($"'{program}' could not be started ({ex.Message}); is it installed and on the PATH?");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new DeployFailedException($"'{program} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout}.");
        }

        // The asynchronous readers may still hold the last lines after the exit.
        process.WaitForExit();
        lock (output)
        {
            return new Result(process.ExitCode, output.ToString());
        }
    }

    /// <summary>Runs to the end and fails the step, with the tool's last lines, when it does not exit 0.</summary>
    public async Task<string> RunCheckedAsync(
        string what, string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(program, list, timeout, workingDirectory, environment);
        if (result.ExitCode != 0)
        {
            // A build's own error lines say more than its last lines, which are often a stack trace.
            var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var errors = lines.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) && !l.TrimStart().StartsWith("at ", StringComparison.Ordinal)
                && !l.Contains(":    at ", StringComparison.Ordinal)).Take(10).ToList();
            var tail = string.Join('\n', errors.Count > 0 ? errors : lines.TakeLast(15));
            throw new DeployFailedException($"{what} failed: '{program} {string.Join(' ', list)}' exited {result.ExitCode}:\n{tail}");
        }

        return result.Output;
    }
}
