using Aspire.Hosting.ApplicationModel;
using BrkCoin.AppHost.Wallet;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BrkCoin.Tests.Mining;

/// <summary>
/// A counter batch sent again after a lost reply is applied once, on both wallets BrkCoin runs
/// on: a real redis-server and the embedded Garnet.
/// </summary>
public sealed class ExactlyOnceCountingTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task On_redis_a_batch_sent_twice_counts_once()
    {
        Prerequisite.Require(redis.Missing);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},defaultDatabase=5");
        await SendingTwiceCountsOnceAsync(connection);
    }

    [Fact]
    public async Task On_the_embedded_garnet_a_batch_sent_twice_counts_once()
    {
        var data = Directory.CreateTempSubdirectory("brkcoin-garnet-").FullName;
        var resource = new EmbeddedRedisResource("redis", FreePort.OnLoopback(), data, "64m", new ParameterResource("redis-password", _ => "test-password", secret: true));
        using var garnet = new EmbeddedRedisServer();
        try
        {
            garnet.Start(resource, "test-password", NullLoggerFactory.Instance);
            await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{resource.Port},password=test-password");
            await SendingTwiceCountsOnceAsync(connection);
        }
        finally
        {
            garnet.Dispose();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task SendingTwiceCountsOnceAsync(IConnectionMultiplexer connection)
    {
        var db = connection.GetDatabase();
        var identity = RedisWalletTests.Identity($"service.instance.id=worker-{Guid.NewGuid():N}");
        await db.KeyDeleteAsync(WalletKeys.Hashes);
        var wallet = new RedisWallet(connection, identity);

        await wallet.AddHashesAsync(new FlushBatch(1, 7));
        await wallet.AddHashesAsync(new FlushBatch(1, 7)); // the retry after a lost reply
        await wallet.AddHashesAsync(new FlushBatch(2, 5));
        await wallet.AddHashesAsync(new FlushBatch(2, 5));

        Assert.Equal(12, (long)await db.StringGetAsync(WalletKeys.Hashes));
        Assert.Equal(12, (long)await db.StringGetAsync(WalletKeys.WorkerHashes(identity.Id)));

        // A new process under the same worker id (a restarted container) starts its numbers
        // again at 1: they are its own, not the earlier process's.
        var restarted = new RedisWallet(connection, identity);
        await restarted.AddHashesAsync(new FlushBatch(1, 3));
        Assert.Equal(15, (long)await db.StringGetAsync(WalletKeys.Hashes));
    }
}
