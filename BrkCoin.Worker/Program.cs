using Microsoft.Extensions.Options;
using BrkCoin.Worker;
using BrkCoin.Worker.Clients;
using BrkCoin.Worker.Mining;

// The container's health check runs this binary again with --probe-alive (see AliveProbe).
await args.AnswerHealthCheckIfAskedAsync();

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");

builder.Services.AddOptions<WorkerOptions>()
    .BindConfiguration(WorkerOptions.Section)
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
builder.Services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsRelations>();

builder.Services.AddMinerClients();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<WorkerIdentity>();
builder.Services.AddSingleton<IWallet, RedisWallet>();
builder.Services.AddMiningLoop();
builder.Services.AddHealthChecks().AddCheck<MiningHealthCheck>("mining");

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/", () => Results.Text($"WORKER running on {Environment.MachineName}\n"));

await app.RunAsync();
return 0;
