using System.Diagnostics.Metrics;
using BrkCoin.Mining;

namespace BrkCoin.Worker.Mining;

/// <summary>
/// How long this worker's rng and hasher calls take: the workshop's way of finding the bottleneck
/// (rng's latency grows with every worker beyond the third, hasher's does not). Kept for the last
/// <see cref="WalletKeys.LatencyWindow"/> in one-second slots and reported with each counter flush,
/// and recorded as the <c>brkcoin.call.duration</c> histogram for the dashboard.
/// </summary>
public sealed class CallTimings
{
    public const string Rng = "rng";
    public const string Hasher = "hasher";

    private readonly TimeProvider _clock;
    private readonly Histogram<double> _duration;
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal)
    {
        [Rng] = new(),
        [Hasher] = new(),
    };

    public CallTimings(IMeterFactory meterFactory, TimeProvider clock)
    {
        _clock = clock;
        _duration = meterFactory.Create(MinerTelemetry.MeterName).CreateHistogram<double>(
            "brkcoin.call.duration", "s", "Time for one successful rng or hasher call, queueing included.");
    }

    public void Record(string service, TimeSpan elapsed)
    {
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("brkcoin.service", service));
        _windows[service].Add(_clock.GetUtcNow().ToUnixTimeSeconds(), elapsed);
    }

    /// <summary>"rng=…;hasher=…", each the calls of the last ten seconds, as <see cref="WalletKeys.WorkerLatency"/> keeps it.</summary>
    public string Report()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        return string.Join(';', _windows.Select(window => $"{window.Key}={window.Value.Last(now)}"));
    }

    // One histogram per second, reused in a ring: recording stays cheap at thousands of calls a second.
    private sealed class Window
    {
        private static readonly int Slots = (int)WalletKeys.LatencyWindow.TotalSeconds;
        private readonly LatencyHistogram[] _slots = Enumerable.Range(0, Slots).Select(_ => new LatencyHistogram()).ToArray();
        private readonly long[] _secondOf = new long[Slots];

        public void Add(long second, TimeSpan elapsed)
        {
            lock (_slots)
            {
                var slot = (int)(second % Slots);
                if (_secondOf[slot] != second)
                {
                    _slots[slot] = new LatencyHistogram();
                    _secondOf[slot] = second;
                }

                _slots[slot].Add(elapsed);
            }
        }

        public LatencyHistogram Last(long now)
        {
            var total = new LatencyHistogram();
            lock (_slots)
            {
                for (var slot = 0; slot < Slots; slot++)
                {
                    if (now - _secondOf[slot] < Slots)
                    {
                        total.Add(_slots[slot]);
                    }
                }
            }

            return total;
        }
    }
}
