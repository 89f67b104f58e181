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
        // (throughput mode answers thousands of calls a second). Terms and text are swapped as
        // one object, so two knob changes racing each other cannot leave them apart.
        var current = new Stated(new ReplicaTerms(identity.Id, identity.Node, TimeSpan.MinValue, -1), "");
        app.Use((context, next) =>
        {
            var (latency, cap) = terms(context.RequestServices);
            var known = Volatile.Read(ref current);
            if (known.Terms.Latency != latency || known.Terms.Cap != cap)
            {
                var changed = known.Terms with { Latency = latency, Cap = cap };
                known = new Stated(changed, changed.ToHeader());
                Volatile.Write(ref current, known);
            }

            context.Response.Headers[ReplicaTerms.HeaderName] = known.Header;
            return next(context);
        });
        return app;
    }

    // The terms a replica states and the header text that says them.
    private sealed record Stated(ReplicaTerms Terms, string Header);
}
