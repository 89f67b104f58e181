using BrkCoin.Cluster;
using BrkCoin.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BrkCoin.Tests.Services;

/// <summary>rng and hasher name the replica, its node and its terms on every answer; the bodies stay the original's.</summary>
public sealed class ReplicaHeaderTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rng_states_its_node_latency_and_cap_and_follows_a_knob_turned_while_it_runs()
    {
        using var rng = new RngFactory(("Rng:Latency", "00:00:00.005"), ("Rng:ConcurrentRequests", "3"), ("Rng:Node", "node7"));
        var client = rng.CreateClient();

        var first = await client.GetAsync("/32", Cancel);
        var terms = Terms(first);
        Assert.Equal(("node7", 5.0, 3), (terms.Node, terms.Latency.TotalMilliseconds, terms.Cap));
        Assert.Equal(32, (await first.Content.ReadAsByteArrayAsync(Cancel)).Length);

        // The workshop's knob, as the live-settings file turns it: a configuration reload.
        var configuration = (IConfigurationRoot)rng.Services.GetRequiredService<IConfiguration>();
        configuration["Rng:Latency"] = "00:00:00.010";
        configuration["Rng:ConcurrentRequests"] = "0";
        configuration.Reload();

        var turned = Terms(await client.GetAsync("/32", Cancel));
        Assert.Equal((terms.Id, 10.0, 0), (turned.Id, turned.Latency.TotalMilliseconds, turned.Cap));
    }

    [Fact]
    public async Task Hasher_states_no_cap_and_its_hash_is_still_64_hex_characters()
    {
        using var hasher = new HasherFactory(("Hasher:Latency", "00:00:00"));
        using var content = new ByteArrayContent([1, 2, 3]);

        var response = await hasher.CreateClient().PostAsync("/", content, Cancel);

        var terms = Terms(response);
        Assert.Equal((0, TimeSpan.Zero), (terms.Cap, terms.Latency));
        Assert.Null(terms.Node);
        Assert.Equal("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", await response.Content.ReadAsStringAsync(Cancel));
    }

    private static ReplicaTerms Terms(HttpResponseMessage response)
    {
        response.EnsureSuccessStatusCode();
        Assert.True(response.Headers.TryGetValues(ReplicaTerms.HeaderName, out var values), "no replica header");
        return Assert.IsType<ReplicaTerms>(ReplicaTerms.Parse(Assert.Single(values)));
    }
}
