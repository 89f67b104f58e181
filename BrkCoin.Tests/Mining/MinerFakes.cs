using System.Collections.Concurrent;
using System.Security.Cryptography;
using BrkCoin.Worker.Clients;
using BrkCoin.Worker.Mining;

namespace BrkCoin.Tests.Mining;

/// <summary>An rng that draws real random bytes and can be told to fail its next calls.</summary>
public sealed class FakeRng : IRngClient
{
    private int _failuresLeft;

    public int Calls;

    /// <summary>When set, every call waits here first (to see how many loops call at once).</summary>
    public Func<Task>? BeforeEachDraw { get; set; }

    public void FailNext(int times) => _failuresLeft = times;

    /// <summary>While set, every draw is refused with 400, as rng refuses an n above its Rng:MaxBytes.</summary>
    public bool Refusing { get; set; }

    public async Task<byte[]> GetRandomBytesAsync(int count, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (BeforeEachDraw is not null)
        {
            await BeforeEachDraw();
        }

        if (Refusing)
        {
            throw new HttpRequestException("rng answered 400: n is above Rng:MaxBytes", null, HttpStatusCode.BadRequest);
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new HttpRequestException("rng answered 503", null, HttpStatusCode.ServiceUnavailable);
        }

        return RandomNumberGenerator.GetBytes(count);
    }
}

/// <summary>A hasher that really hashes, remembers what it answered, and can fail or lie.</summary>
public sealed class FakeHasher : IHasherClient
{
    private int _failuresLeft;
    private int _liesLeft;

    public ConcurrentQueue<byte[]> Received { get; } = new();

    public ConcurrentQueue<string> Answered { get; } = new();

    public void FailNext(int times) => _failuresLeft = times;

    /// <summary>The next answers claim a coin that the bytes do not hash to.</summary>
    public void LieNext(int times) => _liesLeft = times;

    public Task<string> HashAsync(byte[] data, CancellationToken cancellationToken)
    {
        Received.Enqueue(data);
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new TimeoutException("hasher did not answer in time");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(data));
        if (Interlocked.Decrement(ref _liesLeft) >= 0)
        {
            hash = "0" + hash[1..] is var forged && forged != hash ? forged : "00" + hash[2..];
        }

        Answered.Enqueue(hash);
        return Task.FromResult(hash);
    }
}

/// <summary>A wallet in memory that can be told to fail its next writes, as Redis restarting would.</summary>
public sealed class FakeWallet : IWallet
{
    private int _storeFailuresLeft;
    private int _counterFailuresLeft;
    private int _lostRepliesLeft;
    private readonly Lock _counting = new();
    private long _lastBatch;
    private long _hashes;
    private int _counterUpdates;

    public ConcurrentDictionary<string, byte[]> Coins { get; } = new();

    public int StoreAttempts;

    public long Hashes => Interlocked.Read(ref _hashes);

    /// <summary>Counter updates applied (a zero batch, which reports the worker alive, included).</summary>
    public int CounterUpdates => Volatile.Read(ref _counterUpdates);

    public void FailNextStores(int times) => _storeFailuresLeft = times;

    public void FailNextCounterUpdates(int times) => _counterFailuresLeft = times;

    /// <summary>When set, every counter update waits here first (a Redis that hangs, or answers only at its timeout).</summary>
    public Func<Task>? BeforeEachCounterUpdate { get; set; }

    /// <summary>When set, every coin store waits here first (a wallet that commits to disk slowly).</summary>
    public Func<Task>? BeforeEachStore { get; set; }

    public async Task<bool> StoreCoinAsync(string hexHash, byte[] randomBytes)
    {
        Interlocked.Increment(ref StoreAttempts);
        if (BeforeEachStore is not null)
        {
            await BeforeEachStore();
        }

        if (Interlocked.Decrement(ref _storeFailuresLeft) >= 0)
        {
            throw new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.SocketFailure, "wallet down");
        }

        // As the Redis wallet answers: ours when the wallet holds these very bytes.
        var stored = Coins.GetOrAdd(hexHash, randomBytes);
        return stored.AsSpan().SequenceEqual(randomBytes);
    }

    /// <summary>The next counter updates are applied, but their replies are lost (a timeout after Redis applied them).</summary>
    public void LoseNextCounterReplies(int times) => _lostRepliesLeft = times;

    public async Task AddHashesAsync(FlushBatch batch)
    {
        if (BeforeEachCounterUpdate is { } before)
        {
            await before();
        }

        if (Interlocked.Decrement(ref _counterFailuresLeft) >= 0)
        {
            throw new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.SocketFailure, "wallet down");
        }

        // No stronger than the Redis wallet: it remembers only the last batch applied, so a
        // counter that sent a batch before the one ahead of it was confirmed would count twice here too.
        lock (_counting)
        {
            if (batch.Sequence != _lastBatch)
            {
                _lastBatch = batch.Sequence;
                Interlocked.Add(ref _hashes, batch.Units);
                Interlocked.Increment(ref _counterUpdates);
            }
        }

        if (Interlocked.Decrement(ref _lostRepliesLeft) >= 0)
        {
            throw new TimeoutException("reply lost after the update was applied");
        }
    }
}
