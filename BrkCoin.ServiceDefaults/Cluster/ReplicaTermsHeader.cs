using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BrkCoin.Cluster;

public static class ReplicaTermsHeader
{
    /// <summary>
    /// Names this replica, its node and its terms in every answer's <see cref="ReplicaTerms.HeaderName"/>
    /// header: the workers pass them on with their counter flush, and the page places the replica
    /// on its node and computes the workshop's model from them. No new network path: rng and
    /// hasher still reach nothing, the workers already call them.
    /// </summary>
    /// <param name="nodeSetting">The setting that carries the node's host name ("Rng:Node").</param>
    /// <param name="terms">The configured latency and cap, read per answer: the workshop changes them live.</param>
    public static WebApplication UseReplicaTerms(this WebApplication app, string nodeSetting, Func<IServiceProvider, (TimeSpan Latency, int Cap)> terms)
    {
        var identity = new ReplicaIdentity(app.Configuration, nodeSetting);
        // The header's text only changes with the terms: made again then, not on every call
        // (throughput mode answers thousands of calls a second).
        var cached = new ReplicaTerms(identity.Id, identity.Node, TimeSpan.MinValue, -1);
        var header = cached.ToHeader();
        app.Use((context, next) =>
        {
            var (latency, cap) = terms(context.RequestServices);
            var known = Volatile.Read(ref cached);
            if (known.Latency != latency || known.Cap != cap)
            {
                var changed = known with { Latency = latency, Cap = cap };
                Volatile.Write(ref header, changed.ToHeader());
                Volatile.Write(ref cached, changed);
            }

            context.Response.Headers[ReplicaTerms.HeaderName] = Volatile.Read(ref header);
            return next(context);
        });
        return app;
    }
}
