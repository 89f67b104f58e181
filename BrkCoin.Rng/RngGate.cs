using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace BrkCoin.Rng;

/// <summary>
/// Lets <see cref="RngOptions.ConcurrentRequests"/> requests draw bytes at once and queues the
/// rest in arrival order, as the original's one-request-at-a-time server did. A change of the cap
/// or the queue (the workshop's "set-rng-cap") applies to the requests that arrive after it.
/// </summary>
public sealed class RngGate : IDisposable
{
    private readonly IDisposable? _subscription;
    private readonly List<ConcurrencyLimiter> _retired = [];
    private volatile ConcurrencyLimiter? _limiter;
    private (int Permits, int Queue)? _shape;

    public RngGate(IOptionsMonitor<RngOptions> options)
    {
        Apply(options.CurrentValue);
        _subscription = options.OnChange(Apply);
    }

    /// <summary>Waits for a slot; the lease is not acquired when the queue is full.</summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) =>
        _limiter is { } limiter
            ? limiter.AcquireAsync(1, cancellationToken)
            : ValueTask.FromResult<RateLimitLease>(Unlimited.Lease);

    private void Apply(RngOptions settings)
    {
        var shape = (settings.ConcurrentRequests, settings.EffectiveQueueLimit);
        lock (_retired)
        {
            // Options monitors also fire when the file is rewritten with the same values.
            if (_shape == shape)
            {
                return;
            }

            _shape = shape;
            // The old limiter is not disposed: that would fail the requests queued in it. They
            // drain through it while new ones queue in the new one; it is kept to dispose at the end.
            if (_limiter is { } old)
            {
                _retired.Add(old);
            }

            _limiter = settings.ConcurrentRequests > 0
                ? new ConcurrencyLimiter(new ConcurrencyLimiterOptions
                {
                    PermitLimit = settings.ConcurrentRequests,
                    QueueLimit = settings.EffectiveQueueLimit,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : null;
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        lock (_retired)
        {
            _limiter?.Dispose();
            _retired.ForEach(limiter => limiter.Dispose());
        }
    }

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
