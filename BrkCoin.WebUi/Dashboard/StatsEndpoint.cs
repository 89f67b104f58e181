namespace BrkCoin.WebUi.Dashboard;

/// <summary><c>GET /api/stats</c>: what the page shows, as JSON for scripts and tests.</summary>
public static class StatsEndpoint
{
    public static IEndpointRouteBuilder MapMinerStats(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/stats", (IMinerFeed feed) =>
        {
            var dashboard = feed.Current;
            if (dashboard.SampledAt is null)
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "No sample yet",
                    detail: dashboard.Problem ?? "The web UI has not read the wallet yet; try again in a second.");
            }

            return Results.Json(new
            {
                walletReachable = dashboard.WalletReachable,
                problem = dashboard.Problem,
                sampledAt = dashboard.SampledAt,
                speed = dashboard.Speed,
                coins = dashboard.Coins,
                hashes = dashboard.Hashes,
                coinsPerMinute = dashboard.CoinsPerMinute,
                miningForSeconds = dashboard.MiningFor?.TotalSeconds,
                unlistedSpeed = dashboard.UnlistedSpeed,
                workers = dashboard.Workers.Select(w => new { id = w.Id, speed = w.Speed, hashes = w.Hashes, problem = w.Problem }),
                latestCoins = dashboard.LatestCoins.Select(c => new { hash = c.Hash, prefix = c.Prefix, foundAt = c.FoundAt }),
            });
        });
        return app;
    }
}
