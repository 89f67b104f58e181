using BrkCoin.AppHost;
using BrkCoin.AppHost.Deployment;
using BrkCoin.AppHost.Wallet;

var builder = DistributedApplication.CreateBuilder(args);
var mining = builder.GetMiningSettings();

var redis = builder.AddWalletStore(mining.Redis);

var rng = builder.AddProject<Projects.BrkCoin_Rng>("rng")
    .WithReplicas(mining.RngReplicas)
    .WithHttpHealthCheck("/health")
    .WithThroughputMode(mining, "Rng:Latency", "Rng:ConcurrentRequests");

var hasher = builder.AddProject<Projects.BrkCoin_Hasher>("hasher")
    .WithReplicas(mining.HasherReplicas)
    .WithHttpHealthCheck("/health")
    .WithThroughputMode(mining, "Hasher:Latency");

builder.AddProject<Projects.BrkCoin_Worker>("worker")
    .WithReplicas(mining.Workers)
    .WithEnvironment("Worker__Loops", mining.LoopsPerWorker.ToString(System.Globalization.CultureInfo.InvariantCulture))
    .WithReference(rng).WaitFor(rng)
    .WithReference(hasher).WaitFor(hasher)
    .WithReference(redis).WaitFor(redis)
    .WithHttpHealthCheck("/health")
    .WithThroughputMode(mining, "Worker:Pause")
    // Thousands of calls a second: reuse connections briefly rather than exhaust ephemeral ports.
    .WithThroughputSetting(mining, "Worker:ConnectionReuse", "00:00:01");

builder.AddProject<Projects.BrkCoin_WebUi>("webui")
    .WithExternalHttpEndpoints()
    .WithReference(redis).WaitFor(redis)
    .WithHttpHealthCheck("/health")
    // While Redis is down the page still serves its "wallet unreachable" banner: keep it in its Service.
    .WithDeploymentReadiness("/alive")
    .AnnounceUrlWhenReady("BrkCoin web UI");

builder.AddDeploymentFiles();

builder.Build().Run();
