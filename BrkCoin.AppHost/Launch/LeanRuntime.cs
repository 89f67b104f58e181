namespace BrkCoin.AppHost.Launch;

public static class LeanRuntime
{
    /// <summary>
    /// The gen0 budget, in hexadecimal bytes (1 MiB), as <c>DOTNET_GCgen0size</c> reads it. The
    /// native images set the same value in Directory.Build.targets, which C# cannot reach;
    /// NativeImageDietTests holds the two equal.
    /// </summary>
    public const string Gen0Budget = "100000";

    /// <summary>
    /// Runtime settings for many small services sharing one laptop at the workshop's pace (run
    /// mode, not throughput mode, unless <see cref="MiningSettings.LeanRuntime"/> is false). The
    /// spinning and W^X settings, with tiered PGO off as it then was, took the workshop's 10
    /// workers × 5 rng from 0.69–0.84 cores busy to 0.40 (<c>bash bench/run.sh big</c>,
    /// 2026-11-25); tiering off and the three GC settings were chosen from
    /// <c>bash bench/anatomy.sh</c>, which splits each service's memory and counts what it does
    /// every second (docs/performance.md, "What each service is made of").
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><c>ThreadPool_UnfairSemaphoreSpinLimit=0</c>: an idle thread-pool thread spins
    /// (sched_yield) before it sleeps, to catch the next work item sooner. At the workshop's pace
    /// work comes a few times a second, so the spinning is all waste: perf put 42 % of an idle
    /// worker's CPU there, times seventeen processes on two cores.</item>
    /// <item><c>EnableWriteXorExecute=0</c>: W^X maps every page of JIT-compiled code twice (a
    /// writable and an executable view of shared memory, 24 MB per service here) and slows start-up.
    /// A developer's own services on loopback do not need that hardening; the deployed images keep it.</item>
    /// <item><c>TieredCompilation=0</c>: each method is compiled once, optimized (the framework's
    /// precompiled code is used as it is). With tiering, a service still compiled 23–28 methods a
    /// second a minute after its start (a method called once a second is called 30 times only
    /// after half a minute), each a second time, and kept both versions: with tiering off a worker
    /// took 18.3 CPU-ms a second against 24.7, and its compiled code 2.3 MB against 4.5. The cost
    /// is start-up: every method is compiled optimized at its first call.</item>
    /// <item><c>gcServer=0</c>, <c>gcConcurrent=0</c>: one small heap collected on the
    /// allocating thread, instead of the server GC's heaps and its background GC thread, for
    /// services that allocate a few hundred kilobytes a second.</item>
    /// <item><c>GCgen0size=100000</c> (hexadecimal: 1 MiB): a collection after each MiB
    /// allocated, where the server GC kept 29.5 MB committed for a worker's 17.7 MB heap; with it,
    /// 19.3 MB, at a few sub-millisecond collections a second.</item>
    /// </list>
    /// Throughput mode keeps .NET's defaults, which suit a few busy processes: with the spinning,
    /// W^X and tiered PGO settings of 2026-11-25, 1 worker × 16 loops mined 11,022 hashes/s against
    /// 12,348 without.
    /// </remarks>
    public static IResourceBuilder<ProjectResource> WithLeanRuntime(
        this IResourceBuilder<ProjectResource> project, MiningSettings settings) =>
        project.WithEnvironment(context =>
        {
            if (settings.LeanRuntime && !settings.Throughput && context.ExecutionContext.IsRunMode)
            {
                context.EnvironmentVariables["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
                context.EnvironmentVariables["DOTNET_EnableWriteXorExecute"] = "0";
                context.EnvironmentVariables["DOTNET_TieredCompilation"] = "0";
                context.EnvironmentVariables["DOTNET_gcServer"] = "0";
                context.EnvironmentVariables["DOTNET_gcConcurrent"] = "0";
                context.EnvironmentVariables["DOTNET_GCgen0size"] = Gen0Budget;
            }
        });
}
