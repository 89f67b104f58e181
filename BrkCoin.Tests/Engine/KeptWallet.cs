using System.Globalization;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// Redis started alone on a wallet's volume kept by destroy, with the append-only file the
/// deployment wrote, to read what the wallet held when everything had stopped.
/// </summary>
public static class KeptWallet
{
    public static async Task<long> HashesAsync(DockerEngineFixture engine, string volume)
    {
        var redis = (await engine.DockerAsync("run", "-d", "--user", "999:999", "-v", $"{volume}:/data", engine.RedisImage,
            "redis-server", "--dir", "/data", "--appendonly", "yes", "--bind", "127.0.0.1")).Trim();
        try
        {
            // "LOADING …" until the append-only file is read back.
            var reply = await Eventually.ReturnsAsync(
                async () => (await engine.RunAsync("docker", ["exec", redis, "redis-cli", "--raw", "GET", "hashes"], TimeSpan.FromSeconds(30))).Output.Trim(),
                text => long.TryParse(text, CultureInfo.InvariantCulture, out _),
                TimeSpan.FromMinutes(1),
                "the kept wallet's hashes");
            return long.Parse(reply, CultureInfo.InvariantCulture);
        }
        finally
        {
            await engine.RunAsync("docker", ["rm", "--force", redis], TimeSpan.FromMinutes(1));
        }
    }
}
