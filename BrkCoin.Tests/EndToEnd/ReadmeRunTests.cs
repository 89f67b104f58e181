using System.Net.Http.Json;
using System.Net.NetworkInformation;
using BrkCoin.Tests.Engine;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// README's "Run it": its command, read from README.md and typed at the repository root as a
/// newcomer does, prints the dashboard's login link and the page's address README names, and the
/// page shows coins being mined. Only the wallet's folder differs, so the test never writes into
/// a developer's own wallet.
/// </summary>
[Collection(ReadmeCommandsCollection.Name)]
public sealed class ReadmeRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readme_run_command_prints_the_addresses_readme_names_and_mines_coins()
    {
        var page = ReadmeCommands.RunPageAddress;
        var dashboard = new Uri(ReadmeCommands.RunDashboardLogin);
        // The launch profile's fixed ports, as a newcomer gets them: an AppHost already running here
        // (or a bench) holds them, and this run could only time out.
        var taken = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners()
            .Select(listener => listener.Port)
            .Intersect([page.Port, dashboard.Port])
            .ToList();
        Prerequisite.Require(taken.Count > 0 ? $"Port {string.Join(" and ", taken)} is in use: another AppHost runs here." : null);

        var wallet = Directory.CreateTempSubdirectory("brkcoin-readme-run-").FullName;
        var apphost = AppHostProcess.StartAsReadmeRuns(new Dictionary<string, string>
        {
            ["Mining__Redis__Backend"] = "Embedded",
            ["Mining__Redis__DataPath"] = wallet,
        });
        try
        {
            using var webUi = await apphost.WebUiAsync(TimeSpan.FromMinutes(4));
            Assert.Equal(page, webUi.BaseAddress);
            Assert.Contains(ReadmeCommands.RunDashboardLogin, apphost.Output, StringComparison.Ordinal);

            var mined = await Eventually.ReturnsAsync(
                async () =>
                {
                    try
                    {
                        return await webUi.GetFromJsonAsync<WalletJson>("/json", TestContext.Current.CancellationToken);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException { CancellationToken.IsCancellationRequested: false })
                    {
                        return null; // not serving yet, or a slow answer on a busy machine
                    }
                },
                json => json is { Coins: > 0, Hashes: > 0 },
                TimeSpan.FromMinutes(2),
                "a coin on the page README's command serves");
            output.WriteLine($"README's run command: {mined!.Coins} coins, {mined.Hashes} hashes at {webUi.BaseAddress}");
        }
        finally
        {
            await apphost.DisposeAsync();
            output.WriteLine(apphost.Output.Length > 4000 ? apphost.Output[^4000..] : apphost.Output);
            try
            {
                Directory.Delete(wallet, recursive: true);
            }
            catch (IOException e)
            {
                output.WriteLine($"The wallet's folder stays at {wallet}: {e.Message}");
            }
        }
    }
}
