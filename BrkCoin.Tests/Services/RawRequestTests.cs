using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Services;

/// <summary>
/// Requests only a real Kestrel can receive (the in-memory test server never sees a body that
/// stops short of its Content-Length): the built hasher and rng on loopback, spoken to over raw TCP.
/// </summary>
public sealed class RawRequestTests : IAsyncLifetime
{
    private readonly List<Process> _services = [];
    private readonly Dictionary<string, int> _ports = [];

    public async ValueTask InitializeAsync()
    {
        foreach (var project in new[] { "BrkCoin.Hasher", "BrkCoin.Rng" })
        {
            var port = FreePort.OnLoopback();
            _ports[project] = port;
            var process = Process.Start(BuiltProgram.StartInfo(project, [], new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            }))!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _services.Add(process);
        }

        using var http = new HttpClient();
        foreach (var port in _ports.Values)
        {
            await Eventually.ReturnsAsync(() => http.GetAsync($"http://127.0.0.1:{port}/alive"), r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(60), "the service to start");
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var process in _services)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_body_that_stops_short_of_its_length_is_a_408_problem_not_a_500()
    {
        // 10 of the 100 bytes promised, then nothing: Kestrel gives up on the body after its
        // minimum data rate's grace period (5 s) and the client hears why.
        var response = await SendAsync(_ports["BrkCoin.Hasher"],
            "POST / HTTP/1.1\r\nHost: hasher\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n0123456789");

        Assert.StartsWith("HTTP/1.1 408", response);
        Assert.Contains("application/problem+json", response);
    }

    [Fact]
    public async Task Broken_chunked_encoding_is_a_400_problem_not_a_500()
    {
        var response = await SendAsync(_ports["BrkCoin.Hasher"],
            "POST / HTTP/1.1\r\nHost: hasher\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nnot a chunk\r\n");

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("application/problem+json", response);
    }

    [Fact]
    public async Task The_services_still_answer_after_bad_requests()
    {
        foreach (var port in _ports.Values)
        {
            await SendAsync(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab");
            using var http = new HttpClient();
            Assert.True((await http.GetAsync($"http://127.0.0.1:{port}/alive", TestContext.Current.CancellationToken)).IsSuccessStatusCode);
        }
    }

    // Sends the bytes and keeps the connection open (a closed one would be a client gone, not a
    // bad request); reads the answer until the service closes the connection after it.
    private static async Task<string> SendAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // A reset after (or instead of) the answer: what arrived is what was said.
        }

        return answer.ToString();
    }
}
