namespace BrkCoin.AppHost.Launch;

public static class LeanRuntime
{
    /// <summary>
    /// Runtime settings for many small services sharing one laptop at the workshop's pace (run
    /// mode, not throughput mode, unless <see cref="MiningSettings.LeanRuntime"/> is false). Each was measured with
    /// <c>bash bench/run.sh big</c>: together they took the workshop's 10 workers × 5 rng from
    /// 0.69–0.84 cores busy to 0.40, and each service's PSS from 62 to 55 MB.
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
    /// <item><c>TieredPGO=0</c>: no instrumented tier, so less JIT work while seventeen processes
    /// warm up together.</item>
    /// </list>
    /// Throughput mode keeps .NET's defaults, which suit a few busy processes: with these three,
    /// 1 worker × 16 loops mined 11,022 hashes/s against 12,348 without.
    /// </remarks>
    public static IResourceBuilder<ProjectResource> WithLeanRuntime(
        this IResourceBuilder<ProjectResource> project, MiningSettings settings) =>
        project.WithEnvironment(context =>
        {
            if (settings.LeanRuntime && !settings.Throughput && context.ExecutionContext.IsRunMode)
            {
                context.EnvironmentVariables["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
                context.EnvironmentVariables["DOTNET_EnableWriteXorExecute"] = "0";
                context.EnvironmentVariables["DOTNET_TieredPGO"] = "0";
            }
        });
}
