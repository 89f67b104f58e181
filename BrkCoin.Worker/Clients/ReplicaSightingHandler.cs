using System.Diagnostics;
using BrkCoin.Cluster;

namespace BrkCoin.Worker.Clients;

/// <summary>
/// Notes which replica answered each rng or hasher call (its <see cref="ReplicaTerms.HeaderName"/>
/// header) and how long the call took, for <see cref="ReplicaSightings"/>. Answers without the
/// header (the original's rng or hasher) are mined with all the same.
/// </summary>
public sealed class ReplicaSightingHandler(string service, ReplicaSightings sightings) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await base.SendAsync(request, cancellationToken);
        // NonValidated: the header's text as it came, without the array TryGetValues allocates per call.
        if (response.IsSuccessStatusCode && response.Headers.NonValidated.TryGetValues(ReplicaTerms.HeaderName, out var values))
        {
            sightings.Record(service, values.ToString(), Stopwatch.GetElapsedTime(started));
        }

        return response;
    }
}
