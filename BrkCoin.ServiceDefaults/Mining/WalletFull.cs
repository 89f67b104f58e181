namespace BrkCoin.Mining;

/// <summary>
/// How Redis says the wallet is full: at its <c>maxmemory</c> with <c>noeviction</c> it answers a
/// write with "OOM command not allowed when used memory &gt; 'maxmemory'", and keeps answering
/// reads, deletes and PING. The workers and the web UI each tell this from an outage by it.
/// </summary>
public static class WalletFull
{
    /// <summary>True when a Redis error reply is the refusal of a write for memory.</summary>
    public static bool IsRefusal(string redisError) =>
        redisError.StartsWith("OOM ", StringComparison.Ordinal)
        || redisError.Contains("OOM command not allowed", StringComparison.Ordinal);
}
