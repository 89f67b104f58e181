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
                walletFull = dashboard.WalletFull,
                walletMemory = dashboard.WalletMemory is { } memory
                    ? new { usedBytes = memory.UsedBytes, maxBytes = memory.MaxBytes, percent = memory.Percent }
                    : null,
                sampledAt = dashboard.SampledAt,
                speed = dashboard.Speed,
                speedWindowSeconds = dashboard.SpeedWindow.TotalSeconds,
                workerSpeedWindowSeconds = dashboard.WorkerSpeedWindow.TotalSeconds,
                coins = dashboard.Coins,
                hashes = dashboard.Hashes,
                coinsPerMinute = dashboard.CoinsPerMinute,
                miningForSeconds = dashboard.MiningFor?.TotalSeconds,
                miningForAtLeast = dashboard.MiningForAtLeast,
                walletStartedAt = dashboard.WalletStartedAt,
                unlistedSpeed = dashboard.UnlistedSpeed,
                workers = dashboard.Workers.Select(w => new { id = w.Id, node = w.Node, speed = w.Speed, hashes = w.Hashes, problem = w.Problem }),
                // The workshop's bottleneck finding: rng's latency grows with the workers, hasher's does not.
                latency = new
                {
                    windowSeconds = BrkCoin.Mining.WalletKeys.LatencyWindow.TotalSeconds,
                    rng = new { p50Ms = dashboard.Latency.RngP50, p95Ms = dashboard.Latency.RngP95, calls = dashboard.Latency.RngCalls },
                    hasher = new { p50Ms = dashboard.Latency.HasherP50, p95Ms = dashboard.Latency.HasherP95, calls = dashboard.Latency.HasherCalls },
                },
                latestCoins = dashboard.LatestCoins.Select(c => new { hash = c.Hash, prefix = c.Prefix, foundAt = c.FoundAt }),
                // The workshop's arithmetic for the shape seen now (expected null: no ceiling, or no reports yet).
                model = dashboard.Model is { } model
                    ? new { expected = model.Expected, bottleneck = model.Bottleneck, disagrees = dashboard.ModelDisagrees }
                    : null,
                cluster = new
                {
                    nodes = dashboard.Cluster.Nodes.Select(node => new
                    {
                        name = node.Name,
                        replicas = node.Replicas.Select(r => new { service = r.Service, id = r.Id, shows = r.Shows }),
                    }),
                },
            });
        });
        return app;
    }
}
