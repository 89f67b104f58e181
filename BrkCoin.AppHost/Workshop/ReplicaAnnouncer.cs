using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// Tells the workers where one service's replicas answer (the live setting its pool names), so
/// they take them in turn instead of through Aspire's proxy. A replica is announced once it
/// answers /health on its own address, asked every <see cref="AskEvery"/> for as long as it runs
/// there. Aspire's own Running and Healthy are no proof: its health check goes through the proxy,
/// which any running replica answers, so a replica just started reads healthy while refusing
/// connections on its own port (WorkshopCommandTests saw "Connection refused" there).
/// </summary>
public sealed class ReplicaAnnouncer(ReplicaPool pool, LiveSettings settings) : IDisposable
{
    public static readonly TimeSpan AskEvery = TimeSpan.FromMilliseconds(200);
    // Long enough for a replica starting on a loaded two-core machine; after it, the AppHost's
    // log says which replica is slow, and the asking goes on.
    private static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    private readonly string _setting = pool.AddressesSetting
        ?? throw new ArgumentException($"{pool.Service}'s pool names no live setting for its addresses.", nameof(pool));
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(1) };
    // Wakes the asking when a replica starts running or the file needs writing again; one pending wake is enough.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    // Serializes the file's writes: each writes the pool's list as it is when it writes, so a
    // removal from the follow loop and an announcement from the asking loop cannot land in the
    // wrong order.
    private readonly Lock _writing = new();
    // Set when a write failed: the pool has moved on and the file has not, until a write succeeds.
    private volatile bool _unwritten;

    /// <summary>Follows a replica's state change; <paramref name="ownAddress"/> is where it serves while it runs.</summary>
    public void Observe(string replicaId, string? state, Uri? ownAddress)
    {
        var changed = pool.Observe(replicaId, state, ownAddress);
        if (ownAddress is not null)
        {
            _wake.Writer.TryWrite(true);
        }

        if (changed)
        {
            Write();
        }
    }

    /// <summary>Asks the replicas that run and are not announced yet, until the AppHost stops.</summary>
    public async Task RunAsync(ILogger logger, CancellationToken stopping)
    {
        // When each unannounced replica was first asked, and whether the log heard it is slow;
        // only this loop touches it.
        var asking = new Dictionary<(string Replica, Uri Address), (long Since, bool Warned)>();
        // Rounds failed in a row: the log hears of the first and of the recovery, not of each.
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (_unwritten)
                {
                    Write();
                }

                if (failures > 0)
                {
                    logger.LogInformation("Announcing {Service}'s replicas works again after {Failures} failed rounds", pool.Service, failures);
                    failures = 0;
                }

                var unannounced = pool.Unannounced;
                foreach (var gone in asking.Keys.Except(unannounced).ToList())
                {
                    asking.Remove(gone);
                }

                if (unannounced.Count == 0)
                {
                    await _wake.Reader.ReadAsync(stopping);
                    continue;
                }

                var answers = await Task.WhenAll(unannounced.Select(async replica => (replica, Answered: await AnswersAsync(replica.Address, stopping))));
                foreach (var (replica, answered) in answers)
                {
                    var (since, warned) = asking.TryGetValue(replica, out var known) ? known : asking[replica] = (Stopwatch.GetTimestamp(), false);
                    var elapsed = Stopwatch.GetElapsedTime(since);
                    if (answered && pool.Announce(replica.Replica, replica.Address))
                    {
                        // Said before the write: should the write fail, the next round's makes it.
                        logger.LogInformation("{Replica} answers at {Address} after {Elapsed:0.0} s: announced to its callers",
                            replica.Replica, replica.Address, elapsed.TotalSeconds);
                        Write();
                    }
                    else if (!answered && !warned && elapsed > SlowAnswer)
                    {
                        asking[replica] = (since, true);
                        logger.LogWarning("{Replica} runs but has not answered at {Address} for {Elapsed:0} s; still asking",
                            replica.Replica, replica.Address, elapsed.TotalSeconds);
                    }
                }

                await Task.Delay(AskEvery, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // One round that failed (the live-settings file could not be written) must not end
                // the announcing for the rest of the run; rounds that keep failing back off to 30 s.
                if (failures++ == 0)
                {
                    logger.LogError(ex, "Announcing {Service}'s replicas failed; asking again, less often while it fails", pool.Service);
                }

                var backOff = TimeSpan.FromTicks(Math.Min(AskEvery.Ticks << Math.Min(failures, 8), MaxBackOff.Ticks));
                await Task.Delay(backOff, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<bool> AnswersAsync(Uri address, CancellationToken stopping)
    {
        try
        {
            using var response = await _probe.GetAsync(new Uri(address, "/health"), stopping);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
        {
            // Not listening yet, or too busy starting to answer within the probe's second.
            return false;
        }
    }

    private void Write()
    {
        lock (_writing)
        {
            try
            {
                settings.SetAddresses(_setting, pool.Serving);
                _unwritten = false;
            }
            catch
            {
                // The asking loop writes again on its next round, whoever's write this was.
                _unwritten = true;
                _wake.Writer.TryWrite(true);
                throw;
            }
        }
    }

    public void Dispose() => _probe.Dispose();
}
