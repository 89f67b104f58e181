using System.Globalization;

namespace BrkCoin.Worker.Clients;

/// <summary>Typed client for rng's <c>GET /{n}</c>.</summary>
public sealed class RngClient(HttpClient http) : IRngClient
{
    public async Task<byte[]> GetRandomBytesAsync(int count, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(count.ToString(CultureInfo.InvariantCulture), cancellationToken);
        // The original hashed whatever came back, error pages included. An error is an error here.
        response.EnsureSuccessStatusCode();

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length != count)
        {
            throw new InvalidDataException($"rng returned {bytes.Length} bytes where {count} were asked for.");
        }

        return bytes;
    }
}
