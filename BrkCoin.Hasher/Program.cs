using BrkCoin.Hasher;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<BrkCoin.Mining.InFlight>();
builder.Services.AddOptions<HasherOptions>()
    .BindConfiguration(HasherOptions.Section)
    .ValidateDataAnnotations()
    .ValidateOnStart();

var app = builder.Build();

app.UseProblemDetailsForErrors();

app.MapDefaultEndpoints();
app.MapHashing();

await app.RunAsync();
return 0;
