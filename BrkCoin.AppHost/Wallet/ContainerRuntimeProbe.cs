using System.Diagnostics;

namespace BrkCoin.AppHost.Wallet;

/// <summary>Tells whether a container engine (Docker or Podman) answers on this machine.</summary>
public static class ContainerRuntimeProbe
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// True when <c>docker info</c> or <c>podman info</c> succeeds. A docker client alone is not
    /// enough: without an engine Aspire would wait for it and the app would never start.
    /// </summary>
    public static bool EngineAnswers() => Answers("docker") || Answers("podman");

    private static bool Answers(string client)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(client, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(Patience))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // The client is not installed.
            return false;
        }
    }
}
