using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Services;

public sealed class RngTests : IDisposable
{
    private readonly RngFactory _fast = new(("Rng:Latency", "00:00:00"), ("Rng:ConcurrentRequests", "0"));
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(1024 * 1024)]
    public async Task Draw_returns_exactly_n_bytes_as_octet_stream(int n)
    {
        var response = await _fast.CreateClient().GetAsync($"/{n}", Cancel);

        response.EnsureSuccessStatusCode();
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(n, (await response.Content.ReadAsByteArrayAsync(Cancel)).Length);
    }

    [Fact]
    public async Task Successive_draws_differ()
    {
        var client = _fast.CreateClient();
        var draws = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            draws.Add(Convert.ToHexString(await client.GetByteArrayAsync("/32", Cancel)));
        }

        Assert.Equal(20, draws.Count);
    }

    [Fact]
    public async Task Root_announces_the_host_like_the_original()
    {
        var banner = await _fast.CreateClient().GetStringAsync("/", Cancel);

        Assert.Equal($"RNG running on {Environment.MachineName}\n", banner);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+3")]
    [InlineData("1.5")]
    [InlineData("0x10")]
    [InlineData("99999999999")]
    [InlineData("1048577")]
    public async Task A_count_that_is_not_a_positive_integer_within_bound_is_a_400_problem(string count)
    {
        var response = await _fast.CreateClient().GetAsync($"/{Uri.EscapeDataString(count)}", Cancel);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task One_instance_serves_one_draw_at_a_time_by_default()
    {
        // Default settings: the original's 0.1 s per draw and one draw at a time.
        using var classic = new RngFactory();
        var client = classic.CreateClient();
        const int draws = 6;

        await Task.WhenAll(Enumerable.Range(0, draws).Select(_ => client.GetByteArrayAsync("/32", Cancel)));

        // Six at once, yet never more than one inside the latency at a time.
        Assert.Equal(1, classic.Services.GetRequiredService<BrkCoin.Mining.InFlight>().Most);
    }

    [Fact]
    public async Task Lifting_the_cap_serves_draws_concurrently()
    {
        using var uncapped = new RngFactory(("Rng:Latency", "00:00:02"), ("Rng:ConcurrentRequests", "0"));
        var client = uncapped.CreateClient();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.GetByteArrayAsync("/32", Cancel)));

        // Each draw holds its 2 s: all five were inside the latency together.
        Assert.Equal(5, uncapped.Services.GetRequiredService<BrkCoin.Mining.InFlight>().Most);
    }

    [Fact]
    public async Task A_full_queue_answers_503_problem()
    {
        using var tiny = new RngFactory(("Rng:Latency", "00:00:03"), ("Rng:ConcurrentRequests", "1"), ("Rng:QueueLimit", "0"));
        var client = tiny.CreateClient();

        // Three draws at once against one slot and no queue: the slot is held 3 s, far longer
        // than the three take to arrive, so exactly one is served.
        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.GetAsync("/32", Cancel)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
        }
    }

    [Fact]
    public async Task The_queue_holds_no_more_than_a_caller_will_wait_for()
    {
        // 2 s a draw, callers wait 5 s: two may queue behind the one being served, not a thousand.
        using var slow = new RngFactory(("Rng:Latency", "00:00:02"), ("Rng:ConcurrentRequests", "1"), ("Rng:MaxQueueWait", "00:00:05"));
        var client = slow.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.GetAsync("/32", Cancel)));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.ServiceUnavailable));
    }

    [Theory]
    [InlineData("00:00:00.100", 1, 1000, 100)]
    [InlineData("00:00:00.100", 2, 1000, 200)]
    [InlineData("00:00:00.100", 1, 50, 50)]
    [InlineData("00:00:00", 1, 1000, 1000)]
    public void The_effective_queue_is_what_the_wait_allows(string latency, int concurrent, int queueLimit, int expected)
    {
        var options = new BrkCoin.Rng.RngOptions { Latency = TimeSpan.Parse(latency, System.Globalization.CultureInfo.InvariantCulture), ConcurrentRequests = concurrent, QueueLimit = queueLimit };

        Assert.Equal(expected, options.EffectiveQueueLimit);
    }

    [Fact]
    public async Task Invalid_settings_stop_the_service_at_start()
    {
        // The real program, not the in-memory host (whose failed start sometimes surfaces as an
        // ObjectDisposedException and hides the reason): it must exit, naming the setting.
        var start = BuiltProgram.StartInfo("BrkCoin.Rng", [], new Dictionary<string, string>
        {
            ["Rng__ConcurrentRequests"] = "-1",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.OnLoopback()}",
        });

        var (exitCode, output) = await BuiltProgram.RunAsync(start, TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("OptionsValidationException", output);
        Assert.Contains("ConcurrentRequests", output);
    }

    public void Dispose() => _fast.Dispose();
}
