using BrkCoin.Worker;
using BrkCoin.Worker.Clients;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.Options;
using Polly;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");

builder.Services.AddOptions<WorkerOptions>()
    .BindConfiguration(WorkerOptions.Section)
    .ValidateDataAnnotations()
    .ValidateOnStart();

builder.Services.AddHttpClient<IRngClient, RngClient>((services, http) =>
    http.BaseAddress = services.GetRequiredService<IOptions<WorkerOptions>>().Value.RngUrl);
builder.Services.AddHttpClient<IHasherClient, HasherClient>((services, http) =>
    http.BaseAddress = services.GetRequiredService<IOptions<WorkerOptions>>().Value.HasherUrl);

builder.Services.AddResiliencePipeline(MiningRetry.PipelineName, (pipeline, context) =>
    pipeline.AddMiningRetry(
        context.ServiceProvider.GetRequiredService<IOptions<WorkerOptions>>().Value,
        context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MiningRetry))));

builder.Services.AddSingleton<IWallet, RedisWallet>();
builder.Services.AddSingleton<HashCounter>();
builder.Services.AddSingleton<MinerMetrics>();
builder.Services.AddTransient<MiningLoop>();
builder.Services.AddHostedService<MinerService>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/", () => Results.Text($"WORKER running on {Environment.MachineName}\n"));

app.Run();
