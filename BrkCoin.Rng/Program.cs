using BrkCoin.Cluster;
using Microsoft.Extensions.Options;
using BrkCoin.Rng;

// The container's health check runs this binary again with --probe-alive (see AliveProbe).
await args.AnswerHealthCheckIfAskedAsync();

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddProblemDetails();
builder.Services.AddOptions<RngOptions>()
    .BindConfiguration(RngOptions.Section)
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<RngOptions>, RngOptionsValidator>();
builder.Services.AddSingleton<RngGate>();
builder.Services.AddSingleton<RngMetrics>();
builder.Services.AddSingleton<BrkCoin.Mining.InFlight>();

var app = builder.Build();

app.UseProblemDetailsForErrors();
// Who answered, on which node, on what terms: the page's cluster view and model read it.
app.UseReplicaTerms("Rng:Node", services =>
{
    var o = services.GetRequiredService<IOptionsMonitor<RngOptions>>().CurrentValue;
    return (o.Latency, o.ConcurrentRequests);
});

app.MapDefaultEndpoints();
app.MapRandomBytes();

await app.RunAsync();
return 0;
