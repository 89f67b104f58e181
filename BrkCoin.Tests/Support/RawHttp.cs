using System.Net.Sockets;
using System.Text;

namespace BrkCoin.Tests.Support;

/// <summary>Speaks to a loopback service over raw TCP, for requests no HTTP client would send.</summary>
public static class RawHttp
{
    /// <summary>
    /// Sends the bytes and reads whatever answer comes until the service closes the connection,
    /// for at most 30 s. <paramref name="closeAfterSending"/> closes the sending side at once (a
    /// client gone mid-request); otherwise the connection stays open, as for a stalled body.
    /// </summary>
    public static async Task<string> SendAsync(int port, byte[] request, bool closeAfterSending, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();
        var answer = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await stream.WriteAsync(request, timeout.Token);
            if (closeAfterSending)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }

            var buffer = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0 && answer.Length < 64 * 1024)
            {
                answer.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // A reset after (or instead of) the answer: what arrived is what was said.
        }

        return answer.ToString();
    }
}
