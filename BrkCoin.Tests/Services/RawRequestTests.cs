using System.Text;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Services;

/// <summary>
/// Requests only a real Kestrel can receive (the in-memory test server never sees a body that
/// stops short of its Content-Length): the built hasher and rng on loopback, spoken to over raw TCP.
/// </summary>
public sealed class RawRequestTests : IAsyncLifetime
{
    private readonly LoopbackServices _services = new();

    public async ValueTask InitializeAsync()
    {
        _services.Start("BrkCoin.Hasher");
        _services.Start("BrkCoin.Rng");
        await _services.WaitAliveAsync();
    }

    public ValueTask DisposeAsync()
    {
        _services.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_body_that_stops_short_of_its_length_is_a_408_problem_not_a_500()
    {
        // 10 of the 100 bytes promised, then nothing: Kestrel gives up on the body after its
        // minimum data rate's grace period (5 s) and the client hears why.
        var response = await SendAsync(_services.Ports["BrkCoin.Hasher"],
            "POST / HTTP/1.1\r\nHost: hasher\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n0123456789");

        Assert.StartsWith("HTTP/1.1 408", response);
        Assert.Contains("application/problem+json", response);
    }

    [Fact]
    public async Task Broken_chunked_encoding_is_a_400_problem_not_a_500()
    {
        var response = await SendAsync(_services.Ports["BrkCoin.Hasher"],
            "POST / HTTP/1.1\r\nHost: hasher\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nnot a chunk\r\n");

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("application/problem+json", response);
    }

    [Fact]
    public async Task The_services_still_answer_after_bad_requests()
    {
        foreach (var port in _services.Ports.Values)
        {
            await SendAsync(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab");
            using var http = new HttpClient();
            Assert.True((await http.GetAsync($"http://127.0.0.1:{port}/alive", TestContext.Current.CancellationToken)).IsSuccessStatusCode);
        }
    }

    // The connection stays open: a closed one would be a client gone, not a bad request.
    private static Task<string> SendAsync(int port, string request) =>
        RawHttp.SendAsync(port, Encoding.ASCII.GetBytes(request), closeAfterSending: false, TestContext.Current.CancellationToken);
}
