using BrkCoin.WebUi.Components;
using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Wallet;
using Radzen;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");

builder.Services.AddProblemDetails();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<BrkCoin.WebUi.Cluster.WebUiReplica>();
builder.Services.AddSingleton<WalletReader>();
builder.Services.AddSingleton<SharedTotals>();
builder.Services.AddSingleton<BrkCoin.WebUi.Workshop.WorkshopView>();
builder.Services.AddSingleton<HashRateSampler>();
builder.Services.AddSingleton<IMinerFeed>(services => services.GetRequiredService<HashRateSampler>());
builder.Services.AddHostedService(services => services.GetRequiredService<HashRateSampler>());
builder.Services.AddSingleton<BrkCoin.WebUi.Lesson.LessonMarkStore>();
builder.Services.AddSingleton<BrkCoin.WebUi.Lesson.LessonNarrator>();
builder.Services.AddSingleton<BrkCoin.WebUi.Lesson.ILessonMarks>(services => services.GetRequiredService<BrkCoin.WebUi.Lesson.LessonNarrator>());
builder.Services.AddHostedService(services => services.GetRequiredService<BrkCoin.WebUi.Lesson.LessonNarrator>());
builder.Services.AddRadzenComponents();
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapOriginalJson();
app.MapMinerStats();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;
