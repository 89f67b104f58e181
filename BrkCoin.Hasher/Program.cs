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

app.MapDefaultEndpoints();
app.MapHashing();

await app.RunAsync();
return 0;
