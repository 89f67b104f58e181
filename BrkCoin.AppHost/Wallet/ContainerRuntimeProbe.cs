using System.Diagnostics;

namespace BrkCoin.AppHost.Wallet;

/// <summary>Tells whether a container engine (Docker or Podman) answers on this machine.</summary>
public static class ContainerRuntimeProbe
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The client ("docker" or "podman") whose <c>info</c> succeeds, or null. A docker client
    /// alone is not enough: without an engine Aspire would wait for it and the app would never start.
    /// </summary>
    public static string? AnsweringClient() =>
        Answers("docker") ? "docker" : Answers("podman") ? "podman" : null;

    /// <summary>
    /// True when the engine behind <paramref name="client"/> holds <paramref name="image"/> or its
    /// registry describes it within a few seconds (a manifest look-up, no download), so Aspire's
    /// pull will not hang offline.
    /// </summary>
    public static bool CanSupply(string client, ImageReference image)
    {
        var name = image.ToString();
        if (Succeeds(client, ["image", "inspect", name]))
        {
            return true;
        }

        // Docker itself treats loopback registries as plain http; its manifest command needs telling.
        string[] insecure = image.Registry is { } registry && (registry.StartsWith("127.", StringComparison.Ordinal) || registry.StartsWith("localhost", StringComparison.Ordinal))
            ? ["--insecure"]
            : [];
        return Succeeds(client, ["manifest", "inspect", .. insecure, name]);
    }

    private static bool Answers(string client) => Succeeds(client, ["info", "--format", "{{.ServerVersion}}"]);

    private static bool Succeeds(string client, string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(client, arguments)
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
