using System.Buffers;
using System.Security.Cryptography;
using BrkCoin.Mining;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace BrkCoin.Hasher;

/// <summary>The hasher routes: a banner at <c>GET /</c>, the SHA-256 of the body at <c>POST /</c> and <c>PUT /</c>.</summary>
public static class HashEndpoints
{
    public static IEndpointRouteBuilder MapHashing(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Text($"HASHER running on {Environment.MachineName}\n"));
        // The original's worker POSTs; the seed's README says PUT. Both work.
        app.MapMethods("/", [HttpMethods.Post, HttpMethods.Put], HashBodyAsync);
        return app;
    }

    private static async Task<IResult> HashBodyAsync(
        HttpContext context, InFlight hashing, IOptionsMonitor<HasherOptions> options, CancellationToken cancellationToken)
    {
        // Read per request: the workshop changes the latency while hasher runs.
        var settings = options.CurrentValue;
        using var hashed = hashing.Enter();
        var maxBytes = settings.MaxBodyBytes;
        if (context.Request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        // The bound is enforced below while streaming, so Kestrel's own limit must not cut in first
        // with an exception of its own.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    return TooLarge(maxBytes);
                }

                sha256.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var latency = settings.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, cancellationToken);
        }

        return Results.Text(Convert.ToHexStringLower(sha256.GetHashAndReset()), "text/plain");
    }

    private static IResult TooLarge(long maxBytes) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Body too large to hash",
        detail: $"The hasher accepts at most {maxBytes} bytes.");
}
