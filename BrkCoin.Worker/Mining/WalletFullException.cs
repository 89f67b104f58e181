using StackExchange.Redis;

namespace BrkCoin.Worker.Mining;

/// <summary>
/// The wallet refused a write because it is full: Redis at its <c>maxmemory</c> with
/// <c>noeviction</c> answers "OOM command not allowed when used memory &gt; 'maxmemory'". What was
/// refused stays with the worker (a coin in its loop, units in its counter) and goes again; the
/// message says so, since the worker's state line in the wallet cannot be written either.
/// </summary>
public sealed class WalletFullException(string message, Exception refusal) : RedisException(message, refusal);
