using Aspire.Hosting.ApplicationModel;
using BrkCoin.AppHost.Wallet;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>The embedded Garnet wallet, started and stopped as the AppHost does.</summary>
public sealed class EmbeddedWalletPersistenceTests : IDisposable
{
    private const string Password = "a-wallet-password";
    private readonly string _dataPath = Directory.CreateTempSubdirectory("brkcoin-garnet-").FullName;

    private EmbeddedRedisResource NewResource(string memory = "64m") =>
        new("redis", FreePort.OnLoopback(), _dataPath, memory, new ParameterResource("redis-password", _ => Password, secret: true));

    [Fact]
    public async Task The_wallet_survives_a_restart_of_its_server()
    {
        var resource = NewResource();
        var coin = "0" + new string('c', 63);

        using (var server = new EmbeddedRedisServer())
        {
            server.Start(resource, Password, NullLoggerFactory.Instance);
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{resource.Port},password={Password}");
            var db = redis.GetDatabase();
            await db.HashSetAsync(WalletKeys.Wallet, coin, new byte[] { 4, 5, 6 });
            await db.StringIncrementAsync(WalletKeys.Hashes, 42);
        }

        using (var restarted = new EmbeddedRedisServer())
        {
            restarted.Start(resource, Password, NullLoggerFactory.Instance);
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{resource.Port},password={Password}");
            var db = redis.GetDatabase();

            Assert.Equal(new byte[] { 4, 5, 6 }, (byte[])(await db.HashGetAsync(WalletKeys.Wallet, coin))!);
            Assert.Equal(42, (long)await db.StringGetAsync(WalletKeys.Hashes));
        }
    }

    [Fact]
    public async Task A_wallet_many_times_its_log_memory_is_complete_while_it_grows_and_after_a_restart()
    {
        // 300,000 coins take tens of MB against 2 MiB of log memory. Without a storage tier
        // Garnet dropped what it evicted: HLEN fell to 66,000, `hashes` and brkcoin:since were
        // lost, while every write answered OK (only a restart's replay brought them back, and a
        // checkpoint taken meanwhile would have made the loss final).
        const int Coins = 300_000;
        var resource = NewResource(memory: "2m");

        using (var server = new EmbeddedRedisServer())
        {
            server.Start(resource, Password, NullLoggerFactory.Instance);
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{resource.Port},password={Password}");
            var db = redis.GetDatabase();
            await db.StringSetAsync(WalletKeys.MiningSince, "written once");
            // Found and stored a batch at a time, as a miner would: Garnet evicts from its log
            // memory while the wallet grows, not after.
            for (var stored = 0; stored < Coins; stored += 2_000)
            {
                var batch = MintCoins(2_000);
                await Task.WhenAll(batch.SelectMany(coin => new Task[]
                {
                    db.HashSetAsync(WalletKeys.Wallet, coin.Hash, coin.Bytes),
                    db.StringIncrementAsync(WalletKeys.Hashes, 16),
                }));
            }

            Assert.Equal(Coins, await db.HashLengthAsync(WalletKeys.Wallet));
            Assert.Equal(16L * Coins, (long)await db.StringGetAsync(WalletKeys.Hashes));
            Assert.Equal("written once", await db.StringGetAsync(WalletKeys.MiningSince));
        }

        using (var restarted = new EmbeddedRedisServer())
        {
            restarted.Start(resource, Password, NullLoggerFactory.Instance);
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{resource.Port},password={Password}");
            var db = redis.GetDatabase();

            Assert.Equal(Coins, await db.HashLengthAsync(WalletKeys.Wallet));
            var stored = await db.HashGetAllAsync(WalletKeys.Wallet);
            Assert.All(stored, coin => Assert.True(CoinRule.Verifies(coin.Name!, (byte[])coin.Value!), $"coin {coin.Name} does not verify"));
            Assert.Equal(16L * Coins, (long)await db.StringGetAsync(WalletKeys.Hashes));
            Assert.Equal("written once", await db.StringGetAsync(WalletKeys.MiningSince));
        }
    }

    [Fact]
    public async Task It_listens_on_loopback_only()
    {
        var resource = NewResource();
        using var server = new EmbeddedRedisServer();
        server.Start(resource, Password, NullLoggerFactory.Instance);

        Assert.Equal($"127.0.0.1:{resource.Port},password={Password}", await resource.ConnectionStringExpression.GetValueAsync(TestContext.Current.CancellationToken));
        var listeners = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners()
            .Where(endpoint => endpoint.Port == resource.Port);
        Assert.NotEmpty(listeners);
        Assert.All(listeners, endpoint => Assert.True(IPAddress.IsLoopback(endpoint.Address)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("a-wrong-password")]
    public async Task A_client_without_the_password_is_refused(string? password)
    {
        var resource = NewResource();
        using var server = new EmbeddedRedisServer();
        server.Start(resource, Password, NullLoggerFactory.Instance);
        var options = ConfigurationOptions.Parse($"127.0.0.1:{resource.Port},abortConnect=false,connectTimeout=2000");
        options.Password = password;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);

        var refused = await Assert.ThrowsAnyAsync<RedisException>(() => redis.GetDatabase().StringGetAsync(WalletKeys.Hashes));
        Assert.True(refused is RedisConnectionException or RedisServerException, refused.GetType().Name);
    }

    // Coins as the worker finds them: 32 random bytes whose SHA-256 starts with 0.
    private static List<(string Hash, byte[] Bytes)> MintCoins(int count)
    {
        var coins = new List<(string, byte[])>(count);
        while (coins.Count < count)
        {
            var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            if (CoinRule.IsCoin(hash))
            {
                coins.Add((hash, bytes));
            }
        }

        return coins;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
