using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The container's health check, answered by the service's own binary: <c>BrkCoin.Rng
/// --probe-alive</c> asks the running service's <c>/alive</c> on its port (the first of
/// <c>HTTP_PORTS</c>, else 8080) and exits 0 when the answer's status line says 200, 1 otherwise.
/// </summary>
/// <remarks>
/// The natively compiled services run on a base with no shell, so the bash <c>/dev/tcp</c> check
/// the JIT images use has nothing to run in. A native binary that stops before it builds its host
/// costs about what that bash did (a few ms of CPU, a few MB), where starting a JIT service to ask
/// cost ~70 ms of CPU and 44 MB. A raw socket, not HttpClient: one request on loopback, with
/// bash's 3 s to read the answer. It asks 127.0.0.1 on the port the deployment files give in
/// HTTP_PORTS, as the bash check did; a service moved elsewhere (URLS, which Kestrel prefers)
/// fails it, which is what the cluster's health-check lab relies on.
/// </remarks>
public static class AliveProbe
{
    public const string Argument = "--probe-alive";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// When the container's health check started this process (<c>--probe-alive</c>), answers it
    /// and ends the process with the answer as its exit code; otherwise returns at once, and the
    /// service goes on to start. The first line of every service's Program.
    /// </summary>
    /// <remarks>
    /// It ends the process itself (<see cref="Environment.Exit"/>, no reflection, native AOT
    /// safe) so that a Program of top-level statements needs this one call, not a branch and a
    /// return of its own: the check runs every 10 s in every container, and must be answered
    /// before the host is built, which is what keeps it at a few ms of CPU.
    /// </remarks>
    public static async Task AnswerHealthCheckIfAskedAsync(this string[] args)
    {
        if (args is [Argument])
        {
            Environment.Exit(await RunAsync());
        }
    }

    public static async Task<int> RunAsync()
    {
        var ports = Environment.GetEnvironmentVariable("HTTP_PORTS");
        var first = string.IsNullOrEmpty(ports) ? "8080" : ports.Split([',', ';'])[0];
        if (!int.TryParse(first, out var port) || port is < IPEndPoint.MinPort + 1 or > IPEndPoint.MaxPort)
        {
            await Console.Error.WriteLineAsync($"HTTP_PORTS '{ports}' names no port.");
            return 1;
        }

        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token);
            await socket.SendAsync("GET /alive HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), deadline.Token);
            var buffer = new byte[256];
            var read = 0;
            while (read < buffer.Length && Array.IndexOf(buffer, (byte)'\n', 0, read) < 0)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(read), deadline.Token);
                if (received == 0)
                {
                    break;
                }

                read += received;
            }

            var statusLine = Encoding.ASCII.GetString(buffer, 0, read).Split('\n')[0];
            if (statusLine.Contains(" 200 ", StringComparison.Ordinal))
            {
                return 0;
            }

            await Console.Error.WriteLineAsync($"/alive on port {port} answered '{statusLine.TrimEnd()}'.");
            return 1;
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"/alive on port {port}: {exception.Message}");
            return 1;
        }
    }
}
