using BrkCoin.Rng;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BrkCoin.Tests.Services;

/// <summary>Hosts the rng service in-process with the given settings.</summary>
public sealed class RngFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<RngOptions>
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
