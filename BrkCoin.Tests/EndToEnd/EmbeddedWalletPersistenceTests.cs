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

    private EmbeddedRedisResource NewResource() =>
        new("redis", FreePort.OnLoopback(), _dataPath, "64m", new ParameterResource("redis-password", _ => Password, secret: true));

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
