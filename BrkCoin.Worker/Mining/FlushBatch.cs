namespace BrkCoin.Worker.Mining;

/// <summary>
/// Units of work on their way to the <c>hashes</c> counter, numbered in the order this worker
/// process flushes them. A batch whose fate is unknown (Redis applied it, but the reply was lost)
/// is sent again with the same number, and the wallet applies each number once.
/// </summary>
public sealed record FlushBatch(long Sequence, long Units);
