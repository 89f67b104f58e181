using System.Security.Cryptography;

// What rng does, with ASP.NET Core's own defaults and nothing else: the host (configuration,
// logging to the console, Kestrel), an /alive answer as rng has, and random bytes.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/alive", () => "Healthy");
app.MapGet("/{count:int}", (int count) => Results.Bytes(RandomNumberGenerator.GetBytes(count)));
app.Run();
