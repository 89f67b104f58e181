using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BrkCoin.Tests.Support;

/// <summary>
/// Hosts one BrkCoin service in-process with the given settings; <typeparamref name="TEntryPoint"/>
/// is any public type of that service's assembly.
/// </summary>
public class ServiceFactory<TEntryPoint>(params (string Key, string Value)[] settings) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

public sealed class RngFactory(params (string Key, string Value)[] settings) : ServiceFactory<BrkCoin.Rng.RngOptions>(settings);

public sealed class HasherFactory(params (string Key, string Value)[] settings) : ServiceFactory<BrkCoin.Hasher.HasherOptions>(settings);

/// <summary>The web UI against the Redis at <paramref name="redisConnectionString"/>.</summary>
public sealed class WebUiFactory(string redisConnectionString)
    : ServiceFactory<BrkCoin.WebUi.Wallet.WalletReader>(("ConnectionStrings:redis", redisConnectionString));
