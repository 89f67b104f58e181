using System.Globalization;
using Garnet.server;

namespace BrkCoin.AppHost.Wallet;

/// <summary>
/// Garnet's command line for the embedded wallet: durable before it answers, bounded on disk,
/// and never forgetting what no longer fits in its log memory.
/// </summary>
public static class GarnetCommandLine
{
    /// <summary>
    /// The least log memory accepted: sixteen pages of 64 KiB, so a test can hold a wallet many
    /// times larger than the log memory in seconds; the miner's default is 64m.
    /// </summary>
    public const long LeastMemory = 1024 * 1024;

    /// <summary>
    /// The append-only file's size that makes Garnet take a checkpoint and drop what it covers:
    /// start-up then replays at most about this much (36 MB took 3.3 s) and the file stops growing
    /// with the miner's age. In throughput mode that is a checkpoint every minute or so.
    /// </summary>
    public const string AofCheckpointSize = "16m";

    /// <summary>
    /// Throughput mode's commit period, in milliseconds: each write waits for the next commit (at
    /// most this long) before it is answered, and the writes of those 10 ms share it. With a coin
    /// stored in one transaction and each mining loop mining on while it is stored, 10 ms idles no
    /// loop (1.96–1.97 cores busy) and brings the AppHost to 0.22–0.23 cores, against 0.29–0.32
    /// with 2 ms; when a coin took three round trips and two commits, 10 ms left the loops waiting
    /// (1.54–1.57 cores busy). Measured with <c>bash bench/run.sh throughput16</c>
    /// (docs/performance.md, "Group commit").
    /// </summary>
    public const int GroupCommitMs = 10;

    /// <summary>
    /// The commit period for a pace: group commit in throughput mode, where a commit per write kept
    /// the AppHost at 0.41–0.47 cores; a commit per write (0) at the workshop's pace, a few writes a
    /// second, where a timed commit woke Garnet on every period for nothing: every 2 ms, the
    /// AppHost took 0.15 cores at 1 worker and 0.13 at 10 × 5, against 0.08 and 0.06 with a commit
    /// per write (<c>bash bench/run.sh quick</c>, docs/performance.md, "Group commit"). A latency knob
    /// turned to zero in the workshop keeps the commit per write: more AppHost CPU, as durable.
    /// </summary>
    public static int CommitEveryMs(bool throughput) => throughput ? GroupCommitMs : 0;

    private const long MostPage = 4 * 1024 * 1024;

    public static string[] For(EmbeddedRedisResource resource, string password)
    {
        // Garnet reads a negative period as "commit only when asked" (COMMITAOF): with
        // --aof-commit-wait no write would ever be answered.
        ArgumentOutOfRangeException.ThrowIfNegative(resource.CommitEveryMs);
        var memory = MemoryBytes(resource.Memory);
        // Sixteen pages whatever the memory, so that what the log must keep in memory (its
        // mutable tail) is a small part of it; Garnet's own 16 MiB default page leaves 64m with
        // four.
        var page = Math.Min(MostPage, memory / 16);
        // An append-only-file page must hold twice a log page (Garnet checks it).
        var aofPage = Math.Max(2 * page, 1024 * 1024);
        return
        [
            "--bind", "127.0.0.1",
            "--port", resource.Port.ToString(CultureInfo.InvariantCulture),
            "--memory", resource.Memory,
            "--page", Size(page),
            "--index", "1m",
            // Without a storage tier Garnet drops the records it evicts from its log memory: with
            // 400,000 coins on 64m (some twenty minutes of throughput mode here) HLEN fell to
            // 185,318, `hashes` started again from a small number and brkcoin:since was gone,
            // while every write still answered OK; a checkpoint would then have made that final.
            // With the tier, evicted records go to files in the data folder and are read back
            // when next used.
            "--storage-tier",
            "--logdir", resource.DataPath,
            "--segment", "16m",
            "--object-log-segment", "16m",
            // The tier's files would grow with every rewrite of the wallet; compaction moves the
            // live records of the oldest segments to the tail, and the next checkpoint deletes them.
            "--compaction-freq", "60",
            "--compaction-type", "Lookup",
            "--compaction-max-segments", "8",
            // Every write goes to the append-only file, replayed on start, and is answered only
            // once a commit that covers it is written (Garnet opens the file write-through), so a
            // coin the worker logs as stored outlives a SIGKILL of the AppHost or a power cut.
            // In throughput mode one commit every GroupCommitMs covers every write since the last
            // (group commit); at the workshop's pace each write has its own (CommitEveryMs).
            "--aof",
            "--aof-commit-freq", resource.CommitEveryMs.ToString(CultureInfo.InvariantCulture),
            "--aof-commit-wait",
            "--aof-page-size", Size(aofPage),
            "--aof-memory", Size(4 * aofPage),
            // Segments are the unit the file is truncated by after a checkpoint.
            "--aof-segment-size", Size(Math.Max(16 * 1024 * 1024, aofPage)),
            "--aof-size-limit", AofCheckpointSize,
            "--recover",
            "--checkpointdir", resource.DataPath,
            // The default native device needs libaio, which a bare machine may lack.
            "--device-type", "RandomAccess",
            // Quiet: no banner on the AppHost's console; Garnet's logs go to the dashboard.
            "-q",
            // Every client must AUTH; the password reaches the services only through their
            // connection string.
            "--auth", "Password",
            "--password", password,
        ];
    }

    /// <summary>Bytes in a Garnet size ("64m"), refusing one below <see cref="LeastMemory"/>.</summary>
    public static long MemoryBytes(string memory)
    {
        if (!ServerOptions.TryParseSize(memory, out var bytes) || bytes < LeastMemory)
        {
            throw new ArgumentException(
                $"The embedded wallet's memory '{memory}' is not a size of at least 1m (Mining:Redis:Memory).", nameof(memory));
        }

        return bytes;
    }

    private static string Size(long bytes) => bytes.ToString(CultureInfo.InvariantCulture);
}
