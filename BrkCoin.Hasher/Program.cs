using BrkCoin.Cluster;
using Microsoft.Extensions.Options;
using BrkCoin.Hasher;

// The container's health check runs this binary again with --probe-alive (see AliveProbe).
await args.AnswerHealthCheckIfAskedAsync();

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<BrkCoin.Mining.InFlight>();
builder.Services.AddOptions<HasherOptions>()
    .BindConfiguration(HasherOptions.Section)
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<HasherOptions>, HasherOptionsValidator>();

var app = builder.Build();

app.UseProblemDetailsForErrors();
// Who answered, on which node, on what terms: the page's cluster view and model read it.
app.UseReplicaTerms("Hasher:Node", services =>
{
    var o = services.GetRequiredService<IOptionsMonitor<HasherOptions>>().CurrentValue;
    return (o.Latency, 0);
});

app.MapDefaultEndpoints();
app.MapHashing();

await app.RunAsync();
return 0;
