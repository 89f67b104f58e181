using Bunit;
using BrkCoin.WebUi.Components.Pages;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;
using Microsoft.Extensions.DependencyInjection;
using Radzen;

namespace BrkCoin.Tests.WebUi;

public sealed class HomePageTests : BunitContext
{
    private readonly FakeFeed _feed = new();

    public HomePageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        // The chart measures itself through JS, which bUnit has not; its drawing is checked in
        // the real browser (WebUiBrowserTests). Here the page's own logic is under test.
        ComponentFactories.AddStub<Radzen.Blazor.RadzenChart>();
        Services.AddRadzenComponents();
        Services.AddSingleton<IMinerFeed>(_feed);
        // As in the browser once the circuit is up; the first, prerendered response is checked in SamplerTests.
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public void Headline_figures_show_speed_coins_hashes_and_time()
    {
        _feed.Current = Healthy() with { Speed = 9.96, Coins = 1234, Hashes = 56789, MiningFor = TimeSpan.FromSeconds(125) };

        var page = Render<Home>();

        Assert.Equal("~10.0 hashes/second", page.Find("[data-testid=speed]").TextContent.Trim());
        Assert.Equal("1,234", page.Find("[data-testid=coins]").TextContent);
        Assert.Equal("56,789", page.Find("[data-testid=hashes]").TextContent);
        Assert.Equal("2m 5s", page.Find("[data-testid=mining-for]").TextContent);
    }

    [Fact]
    public void Redis_down_is_said_plainly_and_the_last_figures_stay()
    {
        _feed.Current = Healthy() with { Coins = 42, WalletReachable = false, Problem = "The wallet (Redis) is not answering." };

        var page = Render<Home>();

        var alert = page.Find("[data-testid=wallet-down]");
        Assert.Equal("alert", alert.GetAttribute("role"));
        Assert.Contains("not answering", alert.TextContent);
        Assert.Equal("42", page.Find("[data-testid=coins]").TextContent);
    }

    [Fact]
    public void The_page_recovers_by_itself_when_the_wallet_returns()
    {
        _feed.Current = Healthy() with { WalletReachable = false, Problem = "down" };
        var page = Render<Home>();

        _feed.Publish(Healthy() with { Coins = 7 });

        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll("[data-testid=wallet-down]"));
            Assert.Equal("7", page.Find("[data-testid=coins]").TextContent);
        });
    }

    [Fact]
    public void Every_live_worker_is_listed_with_its_speed()
    {
        _feed.Current = Healthy() with
        {
            Workers = [new WorkerSpeed("worker-a", 3.3, 100), new WorkerSpeed("worker-b", 3.4, 90), new WorkerSpeed("worker-c", 3.2, 80)],
        };

        var rows = Render<Home>().FindAll("[data-testid=worker]");

        Assert.Equal(["worker-a", "worker-b", "worker-c"], rows.Select(r => r.QuerySelector("th")!.TextContent));
        Assert.Equal("3.4", rows[1].QuerySelectorAll("td")[0].TextContent);
    }

    [Fact]
    public void A_worker_held_up_says_why_and_the_row_clears_when_it_mines_again()
    {
        _feed.Current = Healthy() with
        {
            Workers = [new WorkerSpeed("worker-a", 0, 100, "waiting for rng, retry in 4 s: Connection refused"), new WorkerSpeed("worker-b", 3.4, 90)],
        };

        var page = Render<Home>();

        var held = Assert.Single(page.FindAll("[data-testid=worker-problem]"));
        Assert.Equal("waiting for rng, retry in 4 s: Connection refused", held.TextContent);
        Assert.Equal("mining", page.FindAll("[data-testid=worker]")[1].QuerySelector("td.state")!.TextContent);

        _feed.Publish(Healthy() with { Workers = [new WorkerSpeed("worker-a", 3.3, 110), new WorkerSpeed("worker-b", 3.4, 100)] });

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=worker-problem]")));
    }

    [Fact]
    public void Workers_without_their_own_counters_are_shown_from_the_totals()
    {
        // The original's workers add to `hashes` only: the page says so instead of showing blanks.
        _feed.Current = Healthy() with { Speed = 6.7, Workers = [], UnlistedSpeed = 6.7 };

        var page = Render<Home>();

        Assert.Contains("about 6.7 hashes/s", page.Find("[data-testid=unlisted-workers]").TextContent);
        Assert.DoesNotContain("No worker has reported", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=workers]"));
    }

    [Fact]
    public void The_latest_coins_show_newest_first_by_prefix()
    {
        var newest = new FoundCoin("0aaaaaaa" + new string('1', 56), Samples.Start.AddSeconds(5));
        var older = new FoundCoin("0bbbbbbb" + new string('2', 56), Samples.Start);
        _feed.Current = Healthy() with { LatestCoins = [newest, older] };

        var items = Render<Home>().FindAll("[data-testid=latest-coins] li code");

        Assert.Equal(["0aaaaaaa…", "0bbbbbbb…"], items.Select(i => i.TextContent));
    }

    [Fact]
    public void Each_chart_is_a_labelled_figure_with_a_text_summary()
    {
        _feed.Current = Healthy() with { SpeedHistory = [new SpeedPoint(Samples.Start.UtcDateTime, 3.3)] };

        var page = Render<Home>();

        var figure = page.Find("figure#speed-chart");
        Assert.Equal("speed-chart-title", figure.GetAttribute("aria-labelledby"));
        Assert.Contains("Latest: 3.3 hashes/s.", page.Find("#speed-chart-summary").TextContent);
    }

    private static MinerDashboard Healthy() => new() { WalletReachable = true, SampledAt = Samples.Start };

    private sealed class FakeFeed : IMinerFeed
    {
        public MinerDashboard Current { get; set; } = MinerDashboard.Starting;

        public event Action<MinerDashboard>? Changed;

        public void Publish(MinerDashboard dashboard)
        {
            Current = dashboard;
            Changed?.Invoke(dashboard);
        }
    }
}
