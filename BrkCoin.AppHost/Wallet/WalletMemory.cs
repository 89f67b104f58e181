using System.Globalization;
using BrkCoin.AppHost.Deployment;

namespace BrkCoin.AppHost.Wallet;

/// <summary>
/// How big the wallet may grow: the container's memory limit, and the smaller <c>maxmemory</c>
/// at which Redis refuses writes (<c>noeviction</c>) long before the kernel would kill it.
/// </summary>
public static class WalletMemory
{
    /// <summary>
    /// Redis's own limit out of the container's, in MiB: three quarters of what is left after a
    /// fixed 16 MiB. The fixed part is what the container holds whatever the wallet's size: the
    /// redis-server binary and its libraries (9.4 MB resident), the allocator's first arenas, and
    /// every <c>docker exec</c> into it (the health check's redis-cli, an operator's) — all charged
    /// to the container's memory. Three quarters alone left 8 MiB of a 32 MiB container: full, the
    /// kernel killed Redis there (a CI run, 2026-12-03: 26.5 MB anonymous + 9.4 MB file pages).
    /// The quarter of the rest is what Redis needs beyond <c>used_memory</c>, which is all
    /// <c>maxmemory</c> counts: the allocator's pages around the data (resident size was 8 % above
    /// <c>used_memory</c> with 1 million coins, Debian's redis-server 7.0.15), and the pages the
    /// append-only file's rewrite copies — it forks, and every page Redis writes while the child
    /// saves is copied (1.2 MB for a 162 MiB wallet taking 140 coins/s, INFO persistence
    /// <c>aof_last_cow_size</c>). What remains is margin for what that one measurement cannot show:
    /// a table resize forced during a fork copies the whole table. docs/deploy.md gives the commands.
    /// </summary>
    public static int MaxMemoryMiB(int containerLimitMiB) => (containerLimitMiB - FixedMiB) * 3 / 4;

    private const int FixedMiB = 16;

    /// <summary>
    /// Declares the wallet's memory: the container's limit for the deployment files, from which the
    /// Redis container takes its <c>maxmemory</c> (<see cref="RedisArguments"/>).
    /// </summary>
    public static IResourceBuilder<T> WithWalletMemory<T>(this IResourceBuilder<T> wallet, int containerLimitMiB)
        where T : IResource =>
        wallet.WithAnnotation(new DeploymentMemoryAnnotation(containerLimitMiB), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>
    /// <c>maxmemory</c> with <c>noeviction</c> for a wallet declared with a memory limit: a full
    /// wallet answers "OOM" to a write (the workers keep their units and say why) instead of
    /// growing until the kernel kills it, restarts it and kills it again. Evicting would drop
    /// coins, or the counter, to make room.
    /// </summary>
    public static IEnumerable<string> RedisArguments(IResource wallet) =>
        wallet.Annotations.OfType<DeploymentMemoryAnnotation>().LastOrDefault() is { } memory
            ? ["--maxmemory", MaxMemoryMiB(memory.MiB).ToString(CultureInfo.InvariantCulture) + "mb", "--maxmemory-policy", "noeviction"]
            : [];
}
