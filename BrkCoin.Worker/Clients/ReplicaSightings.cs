using BrkCoin.Cluster;
using BrkCoin.Mining;
using Microsoft.Extensions.Options;

namespace BrkCoin.Worker.Clients;

/// <summary>
/// The rng and hasher replicas that answered this worker over the last
/// <see cref="WalletKeys.LatencyWindow"/>, each with the terms it states in its header and the
/// calls it served; reported with each counter flush (<see cref="ReplicaReport"/>), so the page
/// places every replica on its node without calling any of them.
/// </summary>
public sealed class ReplicaSightings(TimeProvider clock, IOptions<WorkerOptions> options)
{
    private static readonly long WindowSeconds = (long)WalletKeys.LatencyWindow.TotalSeconds;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Service, string Id), Sighting> _seen = [];
    // Each header text seen and what it says: the same few headers (one per replica) come back
    // thousands of times a second in throughput mode, in turn, and parsing each would cost more
    // than the call's bookkeeping. Bounded: a knob turned again and again leaves old texts behind.
    private const int ParsedKept = 256;
    private readonly Dictionary<string, ReplicaTerms> _parsed = new(StringComparer.Ordinal);

    public void Record(string service, string? header, TimeSpan elapsed)
    {
        if (header is null)
        {
            return;
        }

        var second = clock.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            if (!_parsed.TryGetValue(header, out var terms))
            {
                if (ReplicaTerms.Parse(header) is not { } parsed)
                {
                    return;
                }

                if (_parsed.Count >= ParsedKept)
                {
                    _parsed.Clear();
                }

                terms = parsed;
                _parsed[header] = terms;
            }

            var key = (service, terms.Id);
            if (!_seen.TryGetValue(key, out var sighting))
            {
                sighting = new Sighting();
                _seen[key] = sighting;
            }

            sighting.Terms = terms;
            sighting.Add(second, elapsed);
        }
    }

    /// <summary>This worker's report now: its pause and loops, and the replicas seen within the window.</summary>
    public ReplicaReport Report()
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        // What the mining loops run with: they read the settings once, at start.
        var settings = options.Value;
        lock (_gate)
        {
            foreach (var gone in _seen.Where(pair => now - pair.Value.LastSecond >= WindowSeconds).Select(pair => pair.Key).ToList())
            {
                _seen.Remove(gone);
            }

            return new ReplicaReport(settings.Pause, settings.Loops,
            [
                .. _seen.OrderBy(pair => pair.Key.Service, StringComparer.Ordinal).ThenBy(pair => pair.Key.Id, StringComparer.Ordinal)
                    .Select(pair => pair.Value.Seen(pair.Key.Service, now)),
            ]);
        }
    }

    // Calls and their total time per second, in a ring as long as the window.
    private sealed class Sighting
    {
        private readonly long[] _second = new long[WindowSeconds];
        private readonly long[] _calls = new long[WindowSeconds];
        private readonly double[] _totalMs = new double[WindowSeconds];

        public ReplicaTerms Terms { get; set; } = null!;

        public long LastSecond { get; private set; }

        public void Add(long second, TimeSpan elapsed)
        {
            var slot = (int)(second % WindowSeconds);
            if (_second[slot] != second)
            {
                (_second[slot], _calls[slot], _totalMs[slot]) = (second, 0, 0);
            }

            _calls[slot]++;
            _totalMs[slot] += elapsed.TotalMilliseconds;
            LastSecond = second;
        }

        public ReplicaSeen Seen(string service, long now)
        {
            long calls = 0;
            double totalMs = 0;
            for (var slot = 0; slot < WindowSeconds; slot++)
            {
                if (now - _second[slot] < WindowSeconds)
                {
                    calls += _calls[slot];
                    totalMs += _totalMs[slot];
                }
            }

            return new ReplicaSeen(service, Terms, calls, calls == 0 ? 0 : totalMs / calls);
        }
    }
}
