using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using BrkCoin.Mining;
using BrkCoin.Tests.Support;
using StackExchange.Redis;

namespace BrkCoin.Tests.Services;

/// <summary>
/// Over a thousand generated malformed requests against every endpoint of rng, hasher, worker
/// and webui, running as real processes (a real Kestrel sees lying lengths and broken chunking):
/// none may get a 5xx, every service must still answer /alive, and nothing sent to the web UI
/// may change the wallet. The generator is seeded, so a failure can be replayed.
/// </summary>
public sealed partial class MalformedRequestTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const int Seed = 20261125;
    private const int Requests = 1200;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "BREW", "get", ""];

    private static readonly string[] Paths =
    [
        "/", "/32", "/0", "/-1", "/abc", "/1048577", "/99999999999999999999", "/3.5", "/%00", "/%ZZ", "/..%2f..%2fetc/passwd",
        "/json", "/api/stats", "/health", "/alive", "/index.html", "/_blazor", "/_blazor/negotiate", "/_blazor?id=x",
        "/_framework/blazor.web.js", "/app.css", "/favicon.ico", "//", "/" + new string('a', 5000), "/?n=" + new string('9', 100), "*",
    ];

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_malformed_request_gets_a_5xx_every_service_stays_alive_and_the_wallet_is_untouched()
    {
        Prerequisite.Require(redis.Missing);
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        var wallet = admin.GetDatabase(7);
        await wallet.KeyDeleteAsync([WalletKeys.Wallet, WalletKeys.Hashes]);
        var coin = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("seed"u8));
        await wallet.HashSetAsync(WalletKeys.Wallet, coin, "seed"u8.ToArray());
        await wallet.StringSetAsync(WalletKeys.Hashes, 42);

        using var services = new LoopbackServices();
        services.Start("BrkCoin.Rng", new Dictionary<string, string> { ["Rng__Latency"] = "0", ["Rng__ConcurrentRequests"] = "0" });
        services.Start("BrkCoin.Hasher", new Dictionary<string, string> { ["Hasher__Latency"] = "0" });
        // A worker with nowhere to mine: its own endpoints are what is tried, and it writes nothing.
        services.Start("BrkCoin.Worker", new Dictionary<string, string>
        {
            ["Worker__RngUrl"] = $"http://127.0.0.1:{FreePort.OnLoopback()}",
            ["Worker__HasherUrl"] = $"http://127.0.0.1:{FreePort.OnLoopback()}",
            ["ConnectionStrings__redis"] = $"{redis.ConnectionString},defaultDatabase=8",
        });
        // Development, as the AppHost runs it: a build output (not a publish) serves Blazor's
        // framework script from the static web assets manifest only then.
        services.Start("BrkCoin.WebUi", new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = $"{redis.ConnectionString},defaultDatabase=7",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        });
        await services.WaitAliveAsync();

        var ports = services.Ports.Values.ToArray();
        var random = new Random(Seed);
        var requests = Enumerable.Range(0, Requests).Select(i => (Port: ports[i % ports.Length], Bytes: Generate(random), Index: i)).ToList();
        var answers = new ConcurrentBag<(int Index, int Status, string Head)>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancel }, async (request, token) =>
        {
            var answer = await RawHttp.SendAsync(request.Port, request.Bytes.Bytes, request.Bytes.CloseAfterSending, token);
            var status = StatusLine().Match(answer);
            answers.Add((request.Index, status.Success ? int.Parse(status.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0, answer.Split('\n')[0]));
        });

        // Bodies that stall mid-way, a few at once: Kestrel's minimum data rate ends them.
        var slow = await Task.WhenAll(ports.Select(port => RawHttp.SendAsync(port,
            Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4096\r\n\r\nonly a little"), closeAfterSending: false, Cancel)));

        var serverErrors = answers.Where(a => a.Status >= 500).OrderBy(a => a.Index).ToList();
        Assert.True(serverErrors.Count == 0,
            $"{serverErrors.Count} 5xx answers:\n" + string.Join("\n", serverErrors.Select(e =>
                $"#{e.Index} port {requests[e.Index].Port}: {e.Head.Trim()} <- {Head(requests[e.Index].Bytes.Bytes)}"))
            + "\n" + string.Join("\n", services.Logs.Where(line => line.Contains("fail", StringComparison.OrdinalIgnoreCase) || line.Contains("Exception", StringComparison.Ordinal)).Take(40)));
        Assert.All(slow, answer => Assert.DoesNotMatch(@"^HTTP/1\.1 5", answer));
        // Nearly every request is answered with a status (garbage and a vanished client may just
        // get the connection closed), so a 5xx could not hide behind silence.
        Assert.True(answers.Count(a => a.Status > 0) > Requests * 3 / 4, $"only {answers.Count(a => a.Status > 0)} answers with a status");

        using var http = new HttpClient();
        foreach (var port in ports)
        {
            Assert.True((await http.GetAsync($"http://127.0.0.1:{port}/alive", Cancel)).IsSuccessStatusCode, $"port {port} no longer alive");
        }

        var after = await wallet.HashGetAllAsync(WalletKeys.Wallet);
        Assert.Equal(coin, Assert.Single(after).Name.ToString());
        Assert.Equal(42, (long)await wallet.StringGetAsync(WalletKeys.Hashes));
    }

    private static (byte[] Bytes, bool CloseAfterSending) Generate(Random random)
    {
        var method = random.GetItems(Methods, 1)[0];
        var path = random.GetItems(Paths, 1)[0];
        var body = RandomBody(random);
        var text = new StringBuilder();
        switch (random.Next(8))
        {
            case 0: // an ordinary request with an odd method or path
                text.Append($"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {body.Length}\r\n\r\n");
                return (Concat(text, body), false);
            case 1: // a Content-Length that lies upward: the body ends early and the client goes
                text.Append($"POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {body.Length + 1 + random.Next(100_000)}\r\n\r\n");
                return (Concat(text, body), true);
            case 2: // a Content-Length that lies downward: the rest is read as the next request
                text.Append($"PUT {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {body.Length / 2}\r\n\r\n");
                return (Concat(text, body), false);
            case 3: // broken chunked encoding
                text.Append($"POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n");
                text.Append(random.Next(3) switch { 0 => "zz\r\nbad\r\n", 1 => "5\r\ntoo long for five\r\n0\r\n\r\n", _ => "FFFFFFFFFFFFFFFFFF\r\nx\r\n" });
                return (Encoding.ASCII.GetBytes(text.ToString()), false);
            case 4: // raw garbage
                var garbage = new byte[random.Next(1, 2048)];
                random.NextBytes(garbage);
                return (garbage, true);
            case 5: // odd and oversized headers
                text.Append($"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
                text.Append(random.Next(4) switch
                {
                    0 => $"X-Big: {new string('h', 40_000)}\r\n",
                    1 => "Content-Type: application/json; charset=ebcdic\r\nAccept: */*;q=bogus\r\n",
                    2 => "Content-Length: 5\r\nContent-Length: 7\r\n",
                    _ => "Transfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n",
                });
                text.Append("\r\n");
                return (Concat(text, body), false);
            case 6: // a query string of every kind
                text.Append($"GET {path}?{Uri.EscapeDataString(Encoding.Latin1.GetString(body.Take(200).ToArray()))}&n=-5&n=&=&%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                return (Encoding.ASCII.GetBytes(text.ToString()), false);
            default: // a body of any size, up to 2 MiB, with a form or JSON content type
                var big = new byte[random.Next(2) == 0 ? random.Next(64) : random.Next(2 * 1024 * 1024)];
                random.NextBytes(big);
                var type = random.Next(3) switch { 0 => "application/x-www-form-urlencoded", 1 => "application/json", _ => "multipart/form-data; boundary=zz" };
                text.Append($"POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {type}\r\nContent-Length: {big.Length}\r\n\r\n");
                return (Concat(text, big), false);
        }
    }

    // The request line and headers, on one line, for a readable failure.
    private static string Head(byte[] request)
    {
        var text = Encoding.Latin1.GetString(request.AsSpan(0, Math.Min(request.Length, 400)));
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (end < 0 ? text[..Math.Min(text.Length, 120)] : text[..end]).Replace("\r\n", " | ", StringComparison.Ordinal);
    }

    private static byte[] RandomBody(Random random)
    {
        var body = new byte[random.Next(0, 512)];
        random.NextBytes(body);
        return body;
    }

    private static byte[] Concat(StringBuilder head, byte[] body) => [.. Encoding.Latin1.GetBytes(head.ToString()), .. body];

    [GeneratedRegex(@"^HTTP/1\.[01] (\d{3})")]
    private static partial Regex StatusLine();
}
