using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Services;

public sealed class HasherTests : IDisposable
{
    private readonly HasherFactory _fast = new(("Hasher:Latency", "00:00:00"));
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    // FIPS 180-2 / NIST example vectors for SHA-256.
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public async Task Post_answers_the_lowercase_hex_sha256_of_the_body(string body, string expected)
    {
        var response = await _fast.CreateClient().PostAsync("/", Octets(Encoding.ASCII.GetBytes(body)), Cancel);

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Put_hashes_like_post_as_the_seed_readme_says()
    {
        var response = await _fast.CreateClient().PutAsync("/", Octets(Encoding.ASCII.GetBytes("abc")), Cancel);

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task A_million_a_hashes_to_the_published_vector()
    {
        var body = Encoding.ASCII.GetBytes(new string('a', 1_000_000));

        var response = await _fast.CreateClient().PostAsync("/", Octets(body), Cancel);

        Assert.Equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Root_announces_the_host_like_the_original()
    {
        Assert.Equal($"HASHER running on {Environment.MachineName}\n", await _fast.CreateClient().GetStringAsync("/", Cancel));
    }

    [Fact]
    public async Task A_body_over_the_bound_is_a_413_problem()
    {
        var response = await _fast.CreateClient().PostAsync("/", Octets(new byte[1024 * 1024 + 1]), Cancel);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_streamed_body_without_length_over_the_bound_is_a_413_problem()
    {
        using var small = new HasherFactory(("Hasher:Latency", "00:00:00"), ("Hasher:MaxBodyBytes", "1000"));
        var content = new StreamContent(new MemoryStream(new byte[5000]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await small.CreateClient().SendAsync(request, Cancel);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task The_hasher_keeps_serving_after_refusing_a_body()
    {
        var client = _fast.CreateClient();
        await client.PostAsync("/", Octets(new byte[2 * 1024 * 1024]), Cancel);

        var response = await client.PostAsync("/", Octets(Encoding.ASCII.GetBytes("abc")), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Hashes_are_served_concurrently_each_after_the_latency()
    {
        using var slow = new HasherFactory(("Hasher:Latency", "00:00:02"));
        var client = slow.CreateClient();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.PostAsync("/", Octets([1, 2, 3]), Cancel)));

        // Each hash holds its 2 s: all five were being hashed together.
        Assert.Equal(5, slow.Services.GetRequiredService<BrkCoin.Mining.InFlight>().Most);
    }

    private static ByteArrayContent Octets(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    public void Dispose() => _fast.Dispose();
}
