namespace BrkCoin.Worker.Clients;

/// <summary>Draws random bytes from rng.</summary>
public interface IRngClient
{
    Task<byte[]> GetRandomBytesAsync(int count, CancellationToken cancellationToken);
}
