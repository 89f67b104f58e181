using BrkCoin.Worker;
using BrkCoin.Worker.Clients;
using BrkCoin.Worker.Mining;
using Microsoft.Extensions.Options;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}

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
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<WorkerIdentity>();
builder.Services.AddSingleton<IWallet, RedisWallet>();
builder.Services.AddMiningLoop();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/", () => Results.Text($"WORKER running on {Environment.MachineName}\n"));

await app.RunAsync();
return 0;
