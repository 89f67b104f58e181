using BrkCoin.Hasher;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BrkCoin.Tests.Services;

/// <summary>Hosts the hasher service in-process with the given settings.</summary>
public sealed class HasherFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<HasherOptions>
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
