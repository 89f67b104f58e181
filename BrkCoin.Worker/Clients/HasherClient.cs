using System.Net.Http.Headers;
using BrkCoin.Mining;

namespace BrkCoin.Worker.Clients;

/// <summary>Typed client for hasher's <c>POST /</c>.</summary>
public sealed class HasherClient(HttpClient http) : IHasherClient
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    public async Task<string> HashAsync(byte[] data, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(data);
        content.Headers.ContentType = OctetStream;

        using var response = await http.PostAsync(string.Empty, content, cancellationToken);
        response.EnsureSuccessStatusCode();

        var hash = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!CoinRule.IsHexHash(hash))
        {
            throw new InvalidDataException("hasher answered with something that is not a hex SHA-256.");
        }

        return hash;
    }
}
