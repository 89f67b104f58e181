namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Lets a container check its own health without curl or wget, which the .NET images do not
/// have: <c>BrkCoin.Rng --health-probe</c> asks the running service's /alive on its port and
/// exits 0 when it answers 200. Compose health checks run this.
/// </summary>
/// <remarks>
/// /alive, not /health: Swarm replaces a task whose health check fails, and /health includes
/// Redis. A Redis outage must not get healthy workers (holding an unflushed count) and web UIs
/// (showing the outage banner) killed and replaced.
/// </remarks>
public static class HealthProbe
{
    public const string Argument = "--health-probe";

    public static bool IsRequested(string[] args) => args.Contains(Argument, StringComparer.Ordinal);

    public static async Task<int> RunAsync()
    {
        // HTTP_PORTS is how the .NET images and the AppHost tell a service its port.
        var port = (Environment.GetEnvironmentVariable("HTTP_PORTS") ?? "8080").Split(';', ',')[0];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{port}/alive");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }
}
