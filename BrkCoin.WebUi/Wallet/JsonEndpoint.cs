using StackExchange.Redis;

namespace BrkCoin.WebUi.Wallet;

/// <summary>The original's <c>GET /json</c>, field for field, so its scripts and graphs still work.</summary>
public static class JsonEndpoint
{
    public static IEndpointRouteBuilder MapOriginalJson(this IEndpointRouteBuilder app)
    {
        app.MapGet("/json", async (SharedTotals shared) =>
        {
            try
            {
                var totals = await shared.ReadAsync();
                return Results.Json(new
                {
                    coins = totals.Coins,
                    hashes = totals.Hashes,
                    now = totals.At.ToUnixTimeMilliseconds() / 1000.0,
                });
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "The wallet is unreachable",
                    detail: "Redis did not answer; the miner's totals are unknown for now.");
            }
            catch (InvalidDataException ex)
            {
                // Not the caller's fault and not a crash: the wallet holds what no worker wrote.
                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "The wallet holds unreadable data",
                    detail: ex.Message);
            }
        });
        // The original served its page as /index.html; old bookmarks and scripts land on ours.
        app.MapGet("/index.html", () => Results.Redirect("/", permanent: true));
        return app;
    }
}
