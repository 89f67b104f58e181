using System.Globalization;
using System.Security.Cryptography;
using BrkCoin.Mining;
using Microsoft.Extensions.Options;

namespace BrkCoin.Rng;

/// <summary>The rng routes: a banner at <c>/</c> and <c>n</c> random bytes at <c>/{n}</c>.</summary>
public static class RandomBytesEndpoints
{
    public static IEndpointRouteBuilder MapRandomBytes(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Text($"RNG running on {Environment.MachineName}\n"));
        app.MapGet("/{count}", DrawAsync);
        return app;
    }

    private static async Task<IResult> DrawAsync(
        string count, RngGate gate, InFlight drawing, RngMetrics metrics, IOptionsMonitor<RngOptions> options, CancellationToken cancellationToken)
    {
        var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        // Read per request: the workshop changes the latency while rng runs.
        var settings = options.CurrentValue;

        // NumberStyles.None: only plain digits, so "-1", "+3", " 4" and "0x10" are refused.
        if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Byte count must be a positive integer",
                detail: $"'{count}' is not a whole number from 1 to {settings.MaxBytes}.");
        }

        if (n > settings.MaxBytes)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Byte count too large",
                detail: $"At most {settings.MaxBytes} bytes can be drawn at once; {n} were asked for.");
        }

        using var lease = await gate.EnterAsync(cancellationToken);
        if (!lease.IsAcquired)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "rng is saturated",
                detail: "Too many requests are already waiting for random bytes; retry later.");
        }

        // The simulated cost is paid while holding the slot, which is what makes one rng a
        // bottleneck at 1 / Latency requests per second.
        using var drawn = drawing.Enter();
        if (settings.Latency > TimeSpan.Zero)
        {
            await Task.Delay(settings.Latency, cancellationToken);
        }

        metrics.Drawn(System.Diagnostics.Stopwatch.GetElapsedTime(arrived));
        return Results.Bytes(RandomNumberGenerator.GetBytes(n), "application/octet-stream");
    }
}
