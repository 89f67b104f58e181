namespace BrkCoin.Worker.Clients;

/// <summary>Asks hasher for the SHA-256 of some bytes.</summary>
public interface IHasherClient
{
    /// <summary>The lowercase hex SHA-256 of <paramref name="data"/>.</summary>
    Task<string> HashAsync(byte[] data, CancellationToken cancellationToken);
}
