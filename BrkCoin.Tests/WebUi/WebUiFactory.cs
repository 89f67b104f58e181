using BrkCoin.WebUi.Wallet;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BrkCoin.Tests.WebUi;

/// <summary>Hosts the web UI in-process against the given Redis.</summary>
public sealed class WebUiFactory(string redisConnectionString) : WebApplicationFactory<WalletReader>
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.UseSetting("ConnectionStrings:redis", redisConnectionString);
}
