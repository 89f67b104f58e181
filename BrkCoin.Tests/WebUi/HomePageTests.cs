using Bunit;
using BrkCoin.WebUi.Components.Pages;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;
using BrkCoin.WebUi.Workshop;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Radzen;

namespace BrkCoin.Tests.WebUi;

public sealed class HomePageTests : BunitContext
{
    private readonly FakeFeed _feed = new();
    private readonly FakeMarks _marks = new();
    private readonly Dictionary<string, string?> _settings = [];

    public HomePageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        // The chart measures itself through JS, which bUnit has not; its drawing is checked in
        // the real browser (WebUiBrowserTests). Here the page's own logic is under test.
        ComponentFactories.AddStub<Radzen.Blazor.RadzenChart>();
        Services.AddRadzenComponents();
        Services.AddSingleton<IMinerFeed>(_feed);
        Services.AddSingleton<BrkCoin.WebUi.Lesson.ILessonMarks>(_marks);
        // Read at each render, as the live-settings file is in run mode.
        Services.AddSingleton(_ => new WorkshopView(new ConfigurationBuilder().AddInMemoryCollection(_settings).Build()));
        // As in the browser once the circuit is up; the first, prerendered response is checked in SamplerTests.
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public void Headline_figures_show_speed_coins_hashes_and_time()
    {
        _feed.Current = Healthy() with { Speed = 9.96, SpeedWindow = TimeSpan.FromSeconds(10.02), Coins = 1234, Hashes = 56789, MiningFor = TimeSpan.FromSeconds(125) };

        var page = Render<Home>();

        Assert.Equal("~10.0 hashes/second", page.Find("[data-testid=speed]").TextContent.Trim());
        // The page says what the speed is measured over, which grows when few hashes arrive.
        Assert.Equal("over the last 10 s", page.Find("[data-testid=speed-window]").TextContent);
        Assert.Equal("1,234", page.Find("[data-testid=coins]").TextContent);
        Assert.Equal("56,789", page.Find("[data-testid=hashes]").TextContent);
        // Two digits after a larger unit: the same width from one second to the next.
        Assert.Equal("2m 05s", page.Find("[data-testid=mining-for]").TextContent);
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
    public void A_full_wallet_is_said_as_full_not_as_unreachable()
    {
        _feed.Current = Healthy() with { Coins = 42, WalletFull = true, Problem = "Redis holds 12.0 MiB of its 12.0 MiB (maxmemory, 100 %)." };

        var page = Render<Home>();

        Assert.Empty(page.FindAll("[data-testid=wallet-down]"));
        Assert.Empty(page.FindAll("[data-testid=figures-stale]"));
        var alert = page.Find("[data-testid=wallet-full]");
        Assert.Contains("The wallet is full.", alert.TextContent);
        Assert.Contains("12.0 MiB of its 12.0 MiB", alert.TextContent);
        Assert.Equal("42", page.Find("[data-testid=coins]").TextContent);
    }

    [Fact]
    public void A_fault_of_the_web_ui_has_its_own_banner_not_the_wallet_one()
    {
        _feed.Current = Healthy() with { Coins = 42, Problem = "The web UI could not work out the figures (InvalidOperationException: x)." };

        var page = Render<Home>();

        Assert.Empty(page.FindAll("[data-testid=wallet-down]"));
        var alert = page.Find("[data-testid=figures-stale]");
        Assert.Contains("could not work out the figures", alert.TextContent);
        Assert.DoesNotContain("unreachable", alert.TextContent, StringComparison.OrdinalIgnoreCase);
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
    public void Each_worker_shows_the_node_it_runs_on_where_the_deployment_says()
    {
        _feed.Current = Healthy() with
        {
            Workers = [new WorkerSpeed("worker-a", 3.3, 100, Node: "node1"), new WorkerSpeed("worker-b", 3.4, 90, Node: "node3"), new WorkerSpeed("worker-c", 3.2, 80)],
        };

        var page = Render<Home>();

        Assert.Single(page.FindAll("[data-testid=worker-node-heading]"));
        Assert.Equal(["node1", "node3", "?"], page.FindAll("[data-testid=worker-node]").Select(cell => cell.TextContent));
        // At phone width the column gives way to a line under the replica's name.
        Assert.Equal("on node1", page.FindAll("[data-testid=worker]")[0].QuerySelector("th .node-inline")!.TextContent);

        // Compose says nothing of nodes: no column of question marks.
        _feed.Publish(Healthy() with { Workers = [new WorkerSpeed("worker-a", 3.3, 110)] });
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=worker-node-heading]")));
        Assert.Empty(page.FindAll(".node-inline"));
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

    [Fact]
    public void Mining_for_is_the_current_run_and_says_when_the_wallet_started()
    {
        // Three short runs over 46 minutes: the figure is this run's, as the chart is.
        _feed.Current = Healthy() with { MiningFor = TimeSpan.FromSeconds(95), WalletStartedAt = Samples.Start.AddMinutes(-46) };

        var page = Render<Home>();

        Assert.Equal("1m 35s", page.Find("[data-testid=mining-for]").TextContent);
        Assert.Equal("this run; wallet started 46m 00s ago", page.Find("[data-testid=wallet-started]").TextContent);
    }

    [Fact]
    public void A_run_longer_than_the_history_is_at_least_what_the_chart_shows()
    {
        _feed.Current = Healthy() with { MiningFor = TimeSpan.FromSeconds(250), MiningForAtLeast = true, WalletStartedAt = Samples.Start.AddHours(-2) };

        Assert.Equal("≥ 4m 10s", Render<Home>().Find("[data-testid=mining-for]").TextContent);
    }

    [Fact]
    public void A_wallet_not_mining_now_says_so_rather_than_counting_on()
    {
        _feed.Current = Healthy() with { MiningFor = null, WalletStartedAt = Samples.Start.AddMinutes(-10) };

        Assert.Equal("not mining", Render<Home>().Find("[data-testid=mining-for]").TextContent);
    }

    [Fact]
    public void The_latency_panel_shows_rng_and_hasher_medians_and_95th_percentiles()
    {
        // Ten workers on one rng, the workshop's bottleneck.
        _feed.Current = Healthy() with
        {
            Latency = new CallLatency(RngP50: 702.4, RngP95: 810, HasherP50: 101.2, HasherP95: 104.9, RngCalls: 100, HasherCalls: 100),
            RngLatencyHistory = [new SpeedPoint(Samples.Start.UtcDateTime, 650), new SpeedPoint(Samples.Start.UtcDateTime.AddSeconds(1), 702.4)],
        };

        var page = Render<Home>();

        var rng = page.Find("[data-testid=latency-rng]").QuerySelectorAll("td").Select(td => td.TextContent).ToArray();
        var hasher = page.Find("[data-testid=latency-hasher]").QuerySelectorAll("td").Select(td => td.TextContent).ToArray();
        Assert.Equal(["702 ms", "810 ms", "100"], rng);
        Assert.Equal(["101 ms", "105 ms", "100"], hasher);
    }

    [Fact]
    public void Latency_not_yet_seen_shows_dashes_not_zeros()
    {
        _feed.Current = Healthy();

        var rng = Render<Home>().Find("[data-testid=latency-rng]").QuerySelectorAll("td").Select(td => td.TextContent).ToArray();

        Assert.Equal(["–", "–", "0"], rng);
    }

    [Fact]
    public void The_workshop_line_shows_the_shape_and_knobs_the_trainer_set()
    {
        _feed.Current = Healthy();
        _settings["LiveSettings:File"] = "/tmp/live-settings.json";
        _settings["Workshop:Workers"] = "10";
        _settings["Workshop:RngReplicas"] = "5";
        _settings["Workshop:HasherReplicas"] = "1";
        _settings["Rng:Latency"] = "00:00:00.1";
        _settings["Rng:ConcurrentRequests"] = "1";
        _settings["Hasher:Latency"] = "00:00:00.25";

        var page = Render<Home>();

        Assert.Equal("10 workers · 5 rng · 1 hasher", page.Find("[data-testid=workshop-shape]").TextContent);
        Assert.Equal("rng 100 ms a draw, one at a time · hasher 250 ms a hash", page.Find("[data-testid=workshop-knobs]").TextContent);
    }

    [Fact]
    public void Without_the_workshop_there_is_no_workshop_line()
    {
        _feed.Current = Healthy();

        Assert.Empty(Render<Home>().FindAll("[data-testid=workshop]"));
    }

    private static MinerDashboard Healthy() => new() { WalletReachable = true, SampledAt = Samples.Start };

    private sealed class FakeMarks : BrkCoin.WebUi.Lesson.ILessonMarks
    {
        public IReadOnlyList<BrkCoin.WebUi.Lesson.LessonMark> Marks { get; set; } = [];
    }

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
