using System.Globalization;

namespace BrkCoin.Cluster;

/// <summary>
/// What one worker saw of the cluster over the last <see cref="Mining.WalletKeys.LatencyWindow"/>,
/// as it writes it beside its counter (<see cref="Mining.WalletKeys.WorkerReplicas"/>): its own
/// pause and loops, and each replica that answered it. One line each, fields split by '|':
/// <c>worker|pause-ms|loops</c> and <c>service|id|node|latency-ms|cap|calls|mean-ms</c>.
/// </summary>
public sealed record ReplicaReport(TimeSpan Pause, int Loops, IReadOnlyList<ReplicaSeen> Replicas)
{
    public string Encode() => string.Join('\n',
        [
            string.Create(CultureInfo.InvariantCulture, $"worker|{Pause.TotalMilliseconds:0.###}|{Loops}"),
            .. Replicas.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r.Service}|{r.Terms.Id}|{r.Terms.Node ?? "-"}|{r.Terms.Latency.TotalMilliseconds:0.###}|{r.Terms.Cap}|{r.Calls}|{r.MeanMs:0.###}")),
        ]);

    /// <summary>The report in <paramref name="text"/>, or null when there is none or it is not in this form.</summary>
    public static ReplicaReport? Decode(string? text)
    {
        var lines = (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0].Split('|') is not ["worker", var pause, var loopsText]
            || !double.TryParse(pause, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pauseMs)
            || !int.TryParse(loopsText, NumberStyles.None, CultureInfo.InvariantCulture, out var loops))
        {
            return null;
        }

        var replicas = lines.Skip(1)
            .Select(line => line.Split('|'))
            .Where(f => f.Length == 7 && f[1].Length > 0)
            .Select(f => (Fields: f,
                Latency: Number(f[3]), Cap: Number(f[4]), Calls: Number(f[5]), Mean: Number(f[6])))
            .Where(r => r.Latency is not null && r.Cap is not null && r.Calls is not null && r.Mean is not null)
            .Select(r => new ReplicaSeen(r.Fields[0],
                new ReplicaTerms(r.Fields[1], r.Fields[2] == "-" ? null : r.Fields[2], TimeSpan.FromMilliseconds(r.Latency!.Value), (int)r.Cap!.Value),
                (long)r.Calls!.Value, r.Mean!.Value))
            .ToList();
        return new ReplicaReport(TimeSpan.FromMilliseconds(pauseMs), loops, replicas);
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>One rng or hasher replica as a worker saw it: its terms, and the calls it served that worker.</summary>
/// <param name="Service">"rng" or "hasher".</param>
/// <param name="Calls">Calls it answered this worker over the window.</param>
/// <param name="MeanMs">Their mean time as the worker measured it, queueing included.</param>
public sealed record ReplicaSeen(string Service, ReplicaTerms Terms, long Calls, double MeanMs);
