using BrkCoin.AppHost;
using BrkCoin.AppHost.Deployment;
using BrkCoin.AppHost.Launch;
using BrkCoin.AppHost.Wallet;
using BrkCoin.AppHost.Workshop;

// A setting out of range stops the AppHost with its one-line reason and exit code 2, not a stack
// trace and an abort. (Handled here, not by a try in this file: Aspire's test host runs this file
// too and hands the exception to the test that asked for the bad setting.)
SettingsSection.ExitOnInvalidSettings();

var builder = DistributedApplication.CreateBuilder(args);
var mining = builder.GetMiningSettings();
var deploy = builder.GetDeploymentSettings();

var redis = builder.AddWalletStore(mining.Redis, mining.Throughput)
    // In a cluster the wallet stays on the node that holds its volume: label it brkcoin.wallet=true.
    .WithNodeLabelPlacement("brkcoin.wallet")
    .WithDeploymentUser(RedisImage.User)
    .WithDeploymentPassword(RedisImage.PasswordVariable)
    .WithDeploymentHealthCommand(RedisImage.Ping)
    // Sized on purpose: a full wallet refuses writes (the page says so) rather than being killed.
    .WithWalletMemory(deploy.WalletMemory);
// Run mode only: scale and turn the knobs while the miner runs (null when publishing).
var workshop = builder.AddWorkshop(mining);

var rng = builder.AddProject<Projects.BrkCoin_Rng>("rng")
    .WithRunModeLaunch(mining)
    .WithNativeImage()
    .WithScalableReplicas(workshop, mining.RngReplicas, mining.MaxRngReplicas, shownAs: "Workshop:RngReplicas", addressesFor: "Worker:RngReplicas")
    .WithHttpHealthCheck("/health")
    .WithThroughputMode(mining, "Rng:Latency", "Rng:ConcurrentRequests")
    .WithLiveSettings(workshop)
    .WithLatencyKnob(workshop, mining, "Rng:Latency", unit: "draw")
    .WithConcurrencyCapKnob(workshop, mining, "Rng:ConcurrentRequests")
    // The workshop's fix for the 10 hashes/s ceiling is more rng: in a cluster, its replicas, one
    // per node, or (where Prometheus and prometheus-adapter run) as many as its queue asks for.
    // The workers spread their draws over the replicas themselves.
    .WithOnePerNode(deploy.RngPerNode)
    .WithAutoscaler(RngAutoscaling.Metric, RngAutoscaling.RateOf, RngAutoscaling.TargetAverageValue, deploy.RngMaxReplicas, enabled: deploy.RngAutoscaler)
    .WithSpreadAcrossReplicas()
    // Named in each answer's header with its node, so the page places it in the cluster view.
    .WithNodeName("Rng__Node");

var hasher = builder.AddProject<Projects.BrkCoin_Hasher>("hasher")
    .WithRunModeLaunch(mining)
    .WithNativeImage()
    .WithScalableReplicas(workshop, mining.HasherReplicas, mining.MaxHasherReplicas, shownAs: "Workshop:HasherReplicas", addressesFor: "Worker:HasherReplicas")
    .WithHttpHealthCheck("/health")
    .WithThroughputMode(mining, "Hasher:Latency")
    .WithLiveSettings(workshop)
    .WithLatencyKnob(workshop, mining, "Hasher:Latency", unit: "hash")
    .WithNodeName("Hasher__Node");

builder.AddProject<Projects.BrkCoin_Worker>("worker")
    .WithRunModeLaunch(mining)
    .WithNativeImage()
    .WithScalableReplicas(workshop, mining.Workers, mining.MaxWorkers, shownAs: "Workshop:Workers")
    .WithEnvironment("Worker__Loops", mining.LoopsPerWorker.ToString(System.Globalization.CultureInfo.InvariantCulture))
    .WithReference(rng).WaitForUnlessScalable(rng, workshop)
    .WithReference(hasher).WaitForUnlessScalable(hasher, workshop)
    .WithReference(redis).WaitFor(redis)
    .WithHttpHealthCheck("/health")
    .WithThroughputMode(mining, "Worker:Pause")
    // Thousands of calls a second: reuse connections briefly rather than exhaust ephemeral ports.
    .WithThroughputSetting(mining, "Worker:ConnectionReuse", "00:00:01")
    // Where the rng and hasher replicas serve, so the worker takes them in turn (run mode).
    .WithLiveSettings(workshop)
    // The page shows each worker's node: the spread over a cluster, and the move after a drain.
    .WithNodeName("Worker__Node");

builder.AddProject<Projects.BrkCoin_WebUi>("webui")
    .WithRunModeLaunch(mining)
    .WithExternalHttpEndpoints()
    .WithReference(redis).WaitFor(redis)
    .WithHttpHealthCheck("/health")
    // While Redis is down the page still serves its "wallet unreachable" banner: keep it in its Service.
    .WithDeploymentReadiness("/alive")
    .WithLiveSettings(workshop)
    // The web UI places itself in the cluster view, and (run mode) the wallet on this machine.
    .WithNodeName("WebUi__Node")
    .WithRunModeWalletNode("WebUi__WalletNode", runsHere: redis.Resource is not ConnectionStringResource)
    .AnnounceUrlWhenReady("BrkCoin web UI");

builder.AddDeploymentFiles();

builder.Build().Run();
