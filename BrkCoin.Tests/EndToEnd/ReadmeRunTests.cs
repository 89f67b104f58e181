using System.Net.Http.Json;
using BrkCoin.Tests.Engine;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// README's "Run it": its command, read from README.md and typed at the repository root as a
/// newcomer does, prints the dashboard's login link and the page's address README names, and the
/// page shows coins being mined. Only the wallet's folder differs, so the test never writes into
/// a developer's own wallet.
/// </summary>
public sealed class ReadmeRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readme_run_command_prints_the_addresses_readme_names_and_mines_coins()
    {
        var wallet = Directory.CreateTempSubdirectory("brkcoin-readme-run-").FullName;
        var apphost = AppHostProcess.StartAsReadmeRuns(new Dictionary<string, string>
        {
            ["Mining__Redis__Backend"] = "Embedded",
            ["Mining__Redis__DataPath"] = wallet,
        });
        try
        {
            using var page = await apphost.WebUiAsync(TimeSpan.FromMinutes(4));
            Assert.Equal(new Uri("http://localhost:5100"), page.BaseAddress);
            Assert.Contains("http://localhost:15080/login?t=", apphost.Output, StringComparison.Ordinal);

            var mined = await Eventually.ReturnsAsync(
                async () =>
                {
                    try
                    {
                        return await page.GetFromJsonAsync<WalletJson>("/json", TestContext.Current.CancellationToken);
                    }
                    catch (HttpRequestException)
                    {
                        return null;
                    }
                },
                json => json is { Coins: > 0, Hashes: > 0 },
                TimeSpan.FromMinutes(2),
                "a coin on the page README's command serves");
            output.WriteLine($"README's run command: {mined!.Coins} coins, {mined.Hashes} hashes at {page.BaseAddress}");
        }
        finally
        {
            await apphost.DisposeAsync();
            output.WriteLine(apphost.Output.Length > 4000 ? apphost.Output[^4000..] : apphost.Output);
            Directory.Delete(wallet, recursive: true);
        }
    }
}
