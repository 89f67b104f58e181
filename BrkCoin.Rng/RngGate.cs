using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace BrkCoin.Rng;

/// <summary>
/// Lets <see cref="RngOptions.ConcurrentRequests"/> requests draw bytes at once and queues the
/// rest in arrival order, as the original's one-request-at-a-time server did.
/// </summary>
public sealed class RngGate : IDisposable
{
    private readonly ConcurrencyLimiter? _limiter;

    public RngGate(IOptions<RngOptions> options)
    {
        var settings = options.Value;
        if (settings.ConcurrentRequests > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.ConcurrentRequests,
                QueueLimit = settings.EffectiveQueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
    }

    /// <summary>Waits for a slot; the lease is not acquired when the queue is full.</summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) =>
        _limiter is null
            ? ValueTask.FromResult<RateLimitLease>(Unlimited.Lease)
            : _limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => _limiter?.Dispose();

    private sealed class Unlimited : RateLimitLease
    {
        public static readonly Unlimited Lease = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
