using System.Net;
using System.Net.Sockets;

namespace BrkCoin.Worker.Clients;

/// <summary>
/// Opens each new connection to the next of the addresses a service name resolves to, in turn.
/// </summary>
/// <remarks>
/// Docker's DNS answers a scaled service's name with every replica's address in shuffled order,
/// so a connection per call alone lands each call on a random replica. Random is not enough for
/// the workshop: ten workers on three one-at-a-time rng replicas then queue unevenly and mine
/// ~24 hashes/s, where the lesson (and the model) says 30. Taking the replicas in turn evens the
/// queues. Microsoft.Extensions.ServiceDiscovery.Dns would do this with pooled connections but
/// is not in our package feed; the socket handler's connect hook is the smallest place to do it.
/// A name that resolves to one address (a Swarm virtual IP, a Kubernetes ClusterIP) is connected
/// as usual: the balancer behind it spreads the connections.
///
/// In run mode the name resolves to Aspire's proxy on localhost, which also places each
/// connection on a random replica. There the AppHost announces the replicas it has running
/// (<paramref name="announced"/>, from the live-settings file) and they are taken in turn the
/// same way, the proxy staying as the last resort.
/// </remarks>
public sealed class ReplicaRoundRobin(
    Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null,
    Func<IReadOnlyList<Uri>>? announced = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? Dns.GetHostAddressesAsync;
    private readonly Func<IReadOnlyList<Uri>> _announced = announced ?? (() => []);
    // Each worker starts at a random replica: ten workers started together would otherwise all
    // open their first connection to the same one and queue there until the queues drift apart.
    private int _next = Random.Shared.Next();

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        if (_announced() is { Count: > 0 } replicas)
        {
            // The proxy the name resolved to stays as the last resort.
            return await ConnectFirstAsync(
                [.. InTurn(replicas).Select(uri => (EndPoint)new DnsEndPoint(uri.Host, uri.Port)), endpoint], cancellationToken);
        }

        var addresses = await ReplicaAddressesAsync(endpoint.Host, cancellationToken);
        return addresses.Length > 1
            ? await ConnectFirstAsync([.. InTurn(addresses).Select(address => (EndPoint)new IPEndPoint(address, endpoint.Port))], cancellationToken)
            : await ConnectFirstAsync([endpoint], cancellationToken);
    }

    // The next replica first; the others after it, in case it has just gone away.
    private IEnumerable<T> InTurn<T>(IReadOnlyList<T> replicas)
    {
        var first = (int)((uint)Interlocked.Increment(ref _next) % (uint)replicas.Count);
        return replicas.Skip(first).Concat(replicas.Take(first));
    }

    // The first candidate that accepts; the last one's error if none does.
    private static async ValueTask<Stream> ConnectFirstAsync(IReadOnlyList<EndPoint> candidates, CancellationToken cancellationToken)
    {
        for (var i = 0; ; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(candidates[i], cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException) when (i < candidates.Count - 1)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private async Task<IPAddress[]> ReplicaAddressesAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        var addresses = await _resolve(host, cancellationToken);
        // One family (IPv4 where there is any), in a stable order, whatever order the DNS
        // server shuffled them into.
        var family = addresses.Any(a => a.AddressFamily == AddressFamily.InterNetwork)
            ? AddressFamily.InterNetwork
            : AddressFamily.InterNetworkV6;
        return addresses
            .Where(a => a.AddressFamily == family)
            .Distinct()
            .OrderBy(a => a.ToString(), StringComparer.Ordinal)
            .ToArray();
    }
}
