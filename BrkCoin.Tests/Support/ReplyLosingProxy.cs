using System.Net.Sockets;
using System.Text;

namespace BrkCoin.Tests.Support;

/// <summary>
/// A TCP proxy in front of a real redis-server that loses replies the way a network does: a
/// transaction reaches Redis and is applied, and the connection dies before its answer is back.
/// The client sees a failed command whose effect is already in the wallet, the case the worker's
/// retries must neither count twice nor lose.
/// </summary>
public sealed class ReplyLosingProxy : IAsyncDisposable
{
    // RESP for EXEC as every client sends it: the end of a MULTI … EXEC transaction.
    private static readonly byte[] Exec = Encoding.ASCII.GetBytes("*1\r\n$4\r\nEXEC\r\n");

    private readonly int _upstreamPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _toLose;
    private int _lost;

    public ReplyLosingProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>For StackExchange.Redis: short timeouts, so a lost reply fails the command quickly.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,asyncTimeout=3000,syncTimeout=3000";

    /// <summary>Transactions whose reply was lost so far.</summary>
    public int RepliesLost => Volatile.Read(ref _lost);

    /// <summary>The next <paramref name="count"/> transactions (MULTI … EXEC) are applied and their connection cut before the reply.</summary>
    public void LoseNextTransactionReplies(int count) => Interlocked.Exchange(ref _toLose, count);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_closing.Token);
                lock (_connections)
                {
                    _connections.Add(RelayAsync(client));
                }
            }
        }
        catch (Exception) when (_closing.IsCancellationRequested)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _closing.Token);
        }
        catch (Exception)
        {
            return;
        }

        var connection = new Relay(client, upstream);
        await Task.WhenAll(ToServerAsync(connection), ToClientAsync(connection));
    }

    private async Task ToServerAsync(Relay relay)
    {
        var buffer = new byte[64 * 1024];
        var tail = Array.Empty<byte>();
        try
        {
            int read;
            while ((read = await relay.Client.GetStream().ReadAsync(buffer, _closing.Token)) > 0)
            {
                // EXEC may straddle two reads: look in the last bytes of the previous one too.
                var seen = tail.Concat(buffer.Take(read)).ToArray();
                var carriesExec = seen.AsSpan().IndexOf(Exec) >= 0;
                tail = seen[Math.Max(0, seen.Length - Exec.Length + 1)..];

                // Under the gate: the reply side must not pass on an answer to this EXEC before
                // it knows that the answer is to be lost.
                await relay.Gate.WaitAsync(_closing.Token);
                try
                {
                    if (relay.Cut)
                    {
                        return;
                    }

                    await relay.Upstream.GetStream().WriteAsync(buffer.AsMemory(0, read), _closing.Token);
                    if (carriesExec && Interlocked.Decrement(ref _toLose) >= 0)
                    {
                        relay.LoseNextReply = true;
                    }
                }
                finally
                {
                    relay.Gate.Release();
                }
            }
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
        }
        finally
        {
            // The client is gone: Redis may finish what it has (FIN, never RST).
            Quietly(() => relay.Upstream.Client.Shutdown(SocketShutdown.Send));
        }
    }

    private async Task ToClientAsync(Relay relay)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await relay.Upstream.GetStream().ReadAsync(buffer, _closing.Token)) > 0)
            {
                await relay.Gate.WaitAsync(_closing.Token);
                try
                {
                    if (relay.LoseNextReply && !relay.Cut)
                    {
                        // The EXEC is in Redis's socket already; closing only our side towards
                        // the client, and half-closing towards Redis (FIN, never RST), lets
                        // Redis run it while the client is left without an answer.
                        relay.Cut = true;
                        Interlocked.Increment(ref _lost);
                        Quietly(() => relay.Client.Client.Shutdown(SocketShutdown.Both));
                        relay.Client.Close();
                        Quietly(() => relay.Upstream.Client.Shutdown(SocketShutdown.Send));
                    }

                    if (!relay.Cut)
                    {
                        await relay.Client.GetStream().WriteAsync(buffer.AsMemory(0, read), _closing.Token);
                    }
                }
                finally
                {
                    relay.Gate.Release();
                }
            }
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
        }
        finally
        {
            relay.Client.Close();
        }
    }

    // How a relayed connection ends: either side closing, or the proxy shutting down.
    private static bool IsConnectionEnd(Exception error) =>
        error is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException;

    private static void Quietly(Action close)
    {
        try
        {
            close();
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10));
        _closing.Dispose();
    }

    private sealed class Relay(TcpClient client, TcpClient upstream)
    {
        public TcpClient Client { get; } = client;

        public TcpClient Upstream { get; } = upstream;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public bool LoseNextReply { get; set; }

        public bool Cut { get; set; }
    }
}
