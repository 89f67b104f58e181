using System.Net.Http.Headers;
using BrkCoin.Worker.Clients;

namespace BrkCoin.Tests.Mining;

public sealed class ClientTests
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task An_rng_error_page_is_an_error_not_random_bytes(HttpStatusCode status)
    {
        var rng = new RngClient(Answering(status, new byte[32]));

        await Assert.ThrowsAsync<HttpRequestException>(() => rng.GetRandomBytesAsync(32, Cancel));
    }

    [Fact]
    public async Task Rng_bytes_of_the_wrong_length_are_refused()
    {
        var rng = new RngClient(Answering(HttpStatusCode.OK, new byte[31]));

        await Assert.ThrowsAsync<InvalidDataException>(() => rng.GetRandomBytesAsync(32, Cancel));
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData(HttpStatusCode.OK, "<html>error</html>")]
    [InlineData(HttpStatusCode.OK, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData(HttpStatusCode.OK, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n")]
    public async Task Anything_but_a_successful_hex_hash_from_hasher_is_refused(HttpStatusCode status, string body)
    {
        var hasher = new HasherClient(Answering(status, System.Text.Encoding.ASCII.GetBytes(body)));

        // An error status is an HTTP error; a 200 that is not a lowercase hex hash is bad data.
        if (status == HttpStatusCode.OK)
        {
            await Assert.ThrowsAsync<InvalidDataException>(() => hasher.HashAsync([1, 2, 3], Cancel));
        }
        else
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => hasher.HashAsync([1, 2, 3], Cancel));
        }
    }

    [Fact]
    public async Task Hasher_is_sent_the_raw_bytes_as_octet_stream()
    {
        HttpRequestMessage? seen = null;
        byte[]? body = null;
        var hasher = new HasherClient(new HttpClient(new StubHandler(async request =>
        {
            seen = request;
            body = await request.Content!.ReadAsByteArrayAsync();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(new string('a', 64)) };
        }))
        { BaseAddress = new Uri("http://hasher") });

        await hasher.HashAsync([9, 8, 7], Cancel);

        Assert.Equal(HttpMethod.Post, seen!.Method);
        Assert.Equal(new MediaTypeHeaderValue("application/octet-stream"), seen.Content!.Headers.ContentType);
        Assert.Equal([9, 8, 7], body);
    }

    private static HttpClient Answering(HttpStatusCode status, byte[] body) =>
        new(new StubHandler(_ => Task.FromResult(new HttpResponseMessage(status) { Content = new ByteArrayContent(body) })))
        {
            BaseAddress = new Uri("http://stub"),
        };

    private sealed class StubHandler(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            answer(request);
    }
}
