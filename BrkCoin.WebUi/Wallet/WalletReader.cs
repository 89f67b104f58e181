using System.Globalization;
using BrkCoin.Mining;
using BrkCoin.WebUi.Cluster;
using StackExchange.Redis;

namespace BrkCoin.WebUi.Wallet;

/// <summary>Reads the wallet from Redis with the keys of <see cref="WalletKeys"/>.</summary>
public sealed class WalletReader(IConnectionMultiplexer redis, TimeProvider clock, WebUiReplica? self = null)
{
    /// <summary>The two totals the original's <c>/json</c> reports.</summary>
    public async Task<WalletTotals> ReadTotalsAsync()
    {
        var db = redis.GetDatabase();
        // Both reads go out together, so the pair is as close to one instant as Redis allows.
        var coins = db.HashLengthAsync(WalletKeys.Wallet);
        var hashes = db.StringGetAsync(WalletKeys.Hashes);
        await Task.WhenAll(coins, hashes);

        return new WalletTotals(await coins, ParseCounter(await hashes), clock.GetUtcNow());
    }

    /// <summary>
    /// Totals, live workers' counters, latest coins and start time, in two round trips; stamped,
    /// like every time in it, with Redis's clock (TIME) read in the first.
    /// </summary>
    public async Task<MinerSample> ReadSampleAsync()
    {
        var db = redis.GetDatabase();

        var batch = db.CreateBatch();
        var serverTime = batch.ExecuteAsync("TIME");
        var coins = batch.HashLengthAsync(WalletKeys.Wallet);
        var hashes = batch.StringGetAsync(WalletKeys.Hashes);
        var since = batch.StringGetAsync(WalletKeys.MiningSince);
        var runSince = batch.StringGetAsync(WalletKeys.RunSince);
        var latest = batch.ListRangeAsync(WalletKeys.LatestCoins, 0, WalletKeys.LatestCoinsKept - 1);
        // Each with its score: which are live is judged below, on Redis's clock.
        var live = batch.SortedSetRangeByScoreWithScoresAsync(WalletKeys.LiveWorkers);
        var memory = batch.ExecuteAsync("INFO", "memory");
        // The web UI replicas, each stamped by its own last history write (Redis's clock).
        var webUis = batch.SortedSetRangeByScoreWithScoresAsync(WalletKeys.LiveWebUis);
        batch.Execute();
        await Task.WhenAll(serverTime, coins, hashes, since, runSince, latest, live, webUis);

        // Workers stamp liveness, runs and coins with Redis's clock (TIME), not their own; the
        // sample is stamped with it too, read in this same round trip. Machines whose clocks are
        // apart then neither hide a worker nor show a run that began in the future, and two web
        // UI replicas write one history in one order: on their own clocks, one's samples fell
        // among the other's, and a web UI loading that history read a counter reset (a spike).
        var redisNow = ParseTime(await serverTime);
        var workerIds = (await live)
            .Where(worker => worker.Score >= (redisNow - WalletKeys.WorkerExpiry).ToUnixTimeMilliseconds())
            .Select(worker => worker.Element.ToString())
            .ToArray();
        // One MGET for every live worker's counter, state, call latencies and node.
        var perWorker = workerIds.Length == 0
            ? []
            : await db.StringGetAsync(workerIds
                .SelectMany(KeysOf)
                .ToArray());
        var workerCounters = Column(perWorker, CounterColumn);
        var states = PresentOnly(workerIds, Column(perWorker, StateColumn));
        var nodes = PresentOnly(workerIds, Column(perWorker, NodeColumn));
        var reports = PresentOnly(workerIds, Column(perWorker, ReplicasColumn));
        var workers = workerIds
            .Zip(workerCounters)
            .Where(pair => pair.Second.HasValue)
            .ToDictionary(pair => pair.First, pair => ParseCounter(pair.Second));

        return new MinerSample(
            redisNow,
            ParseCounter(await hashes),
            await coins,
            workers,
            ParseLatestCoins(await latest),
            ParseUnixMs(await since),
            states,
            CallLatency.Merge(Column(perWorker, LatencyColumn).Select(report => report.ToString())),
            ParseUnixMs(await runSince),
            nodes,
            await MemoryUseAsync(memory))
        {
            WorkerReports = reports,
            // This web UI is live whatever the set says: a full wallet refuses its own entry.
            WebUis = [.. LiveWebUis(await webUis, redisNow).Where(webUi => webUi.Id != self?.Identity.Id),
                .. self is null ? [] : new[] { new WebUiSeen(self.Identity.Id, self.Identity.Node) }],
            WalletNode = self?.WalletNode,
        };
    }

    // "id node" members stamped within a worker's expiry; "-" is a node nobody named.
    private static List<WebUiSeen> LiveWebUis(SortedSetEntry[] entries, DateTimeOffset now) =>
        entries
            .Where(entry => entry.Score >= (now - WalletKeys.WorkerExpiry).ToUnixTimeMilliseconds())
            .Select(entry => entry.Element.ToString().Split(' ', 2))
            .Where(parts => parts.Length == 2)
            .Select(parts => new WebUiSeen(parts[0], parts[1] == "-" ? null : parts[1]))
            .DistinctBy(webUi => webUi.Id)
            .ToList();

    // How full the wallet is; unknown (not an outage) where the server answers INFO otherwise.
    private static async Task<WalletMemoryUse?> MemoryUseAsync(Task<RedisResult> info)
    {
        try
        {
            return WalletMemoryUse.Parse((await info).ToString());
        }
        catch (RedisServerException)
        {
            return null;
        }
    }

    /// <summary>
    /// Adds a sample to the shared history and drops what is older than the chart reaches, in one
    /// round trip. Every web UI replica writes its own samples; readers keep one per second.
    /// </summary>
    /// <returns>False when the wallet is full and refused it: the history then stays this web UI's own.</returns>
    public async Task<bool> RecordHistoryAsync(MinerSample sample)
    {
        var db = redis.GetDatabase();
        var at = sample.At.ToUnixTimeMilliseconds();
        var batch = db.CreateBatch();
        var added = batch.SortedSetAddAsync(WalletKeys.SpeedHistory,
            string.Create(CultureInfo.InvariantCulture, $"{at} {sample.Hashes} {sample.Coins} {sample.Latency.ToHistoryText()} {FormatModel(sample.ModelSpeed)}"), at);
        var trimmed = batch.SortedSetRemoveRangeByScoreAsync(WalletKeys.SpeedHistory,
            double.NegativeInfinity, at - WalletKeys.HistoryKept.TotalMilliseconds);
        // This web UI in the cluster view, on the same write: no round trip of its own.
        Task present = Task.CompletedTask, expired = Task.CompletedTask;
        if (self is not null)
        {
            present = batch.SortedSetAddAsync(WalletKeys.LiveWebUis, $"{self.Identity.Id} {self.Identity.Node ?? "-"}", at);
            expired = batch.SortedSetRemoveRangeByScoreAsync(WalletKeys.LiveWebUis, double.NegativeInfinity, at - WalletKeys.WorkerExpiry.TotalMilliseconds);
        }

        batch.Execute();
        try
        {
            await Task.WhenAll(added, trimmed, present, expired);
            return true;
        }
        catch (RedisServerException refusal) when (WalletFull.IsRefusal(refusal.Message))
        {
            return false;
        }
    }

    /// <summary>The shared history before <paramref name="before"/>, oldest first, one sample a second.</summary>
    public async Task<List<MinerSample>> ReadHistoryAsync(DateTimeOffset before)
    {
        var entries = await redis.GetDatabase().SortedSetRangeByScoreAsync(WalletKeys.SpeedHistory,
            (before - WalletKeys.HistoryKept).ToUnixTimeMilliseconds(), before.ToUnixTimeMilliseconds(), Exclude.Stop);
        var samples = new List<MinerSample>();
        foreach (var entry in entries)
        {
            // "at hashes coins", since the latency panel the four latency figures after them, and
            // since the cluster view the model's expected speed ("-": none).
            var parts = entry.ToString().Split(' ');
            if (parts.Length >= 3
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var at)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hashes)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var coins))
            {
                samples.Add(new MinerSample(DateTimeOffset.FromUnixTimeMilliseconds(at), hashes, coins,
                    new Dictionary<string, long>(), [], null,
                    Latency: CallLatency.FromHistoryText(parts.Length >= 7 ? string.Join(' ', parts[3..7]) : null))
                {
                    ModelSpeed = parts.Length >= 8 ? ParseModel(parts[7]) : null,
                });
            }
        }

        // Two replicas sample the same second: one of them is enough.
        return samples.DistinctBy(s => s.At.ToUnixTimeSeconds()).ToList();
    }

    private static string FormatModel(double? speed) => speed is { } value ? value.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    private static double? ParseModel(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;

    // Each live worker's keys, in the order the MGET above asks them; the columns name the places.
    private const int CounterColumn = 0, StateColumn = 1, LatencyColumn = 2, NodeColumn = 3, ReplicasColumn = 4;

    private static RedisKey[] KeysOf(string id) =>
        [WalletKeys.WorkerHashes(id), WalletKeys.WorkerState(id), WalletKeys.WorkerLatency(id), WalletKeys.WorkerNode(id), WalletKeys.WorkerReplicas(id)];

    private static readonly int KeysPerWorker = KeysOf(string.Empty).Length;

    private static RedisValue[] Column(RedisValue[] values, int column) =>
        values.Where((_, i) => i % KeysPerWorker == column).ToArray();

    // The workers that have such a key, and its text.
    private static Dictionary<string, string> PresentOnly(string[] workerIds, RedisValue[] values) =>
        workerIds
            .Zip(values)
            .Where(pair => pair.Second.HasValue)
            .ToDictionary(pair => pair.First, pair => pair.Second.ToString());

    // INCRBY keeps counters integers; a missing key means nothing was mined yet. Anything else
    // was written by someone else and is said as such, not thrown as a cast error.
    private static long ParseCounter(RedisValue value) =>
        value.IsNullOrEmpty ? 0
        : long.TryParse(value.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count) ? count
        : throw new InvalidDataException($"A hash counter holds \"{Shorten(value.ToString())}\", not an integer.");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    // TIME answers seconds and microseconds.
    private static DateTimeOffset ParseTime(RedisResult time)
    {
        var parts = (RedisResult[])time!;
        return DateTimeOffset.FromUnixTimeMilliseconds((long)parts[0] * 1000 + (long)parts[1] / 1000);
    }

    private static DateTimeOffset? ParseUnixMs(RedisValue value) =>
        long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    // Entries are "hexhash unixms"; a retried store may have pushed one twice, so keep the first.
    private static List<FoundCoin> ParseLatestCoins(RedisValue[] entries) =>
        entries
            .Select(entry => entry.ToString().Split(' ', 2))
            .Where(parts => parts.Length == 2 && CoinRule.IsHexHash(parts[0]))
            .Select(parts => (Hash: parts[0], At: ParseUnixMs(parts[1])))
            .Where(coin => coin.At is not null)
            .DistinctBy(coin => coin.Hash)
            .Select(coin => new FoundCoin(coin.Hash, coin.At!.Value))
            .ToList();
}
