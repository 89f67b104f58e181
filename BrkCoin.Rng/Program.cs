using BrkCoin.Rng;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddProblemDetails();
builder.Services.AddOptions<RngOptions>()
    .BindConfiguration(RngOptions.Section)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<RngGate>();
builder.Services.AddSingleton<RngMetrics>();
builder.Services.AddSingleton<BrkCoin.Mining.InFlight>();

var app = builder.Build();

app.UseProblemDetailsForErrors();

app.MapDefaultEndpoints();
app.MapRandomBytes();

await app.RunAsync();
return 0;
