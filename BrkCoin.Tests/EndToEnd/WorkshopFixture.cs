namespace BrkCoin.Tests.EndToEnd;

/// <summary>
/// The AppHost at the original's pace (the workshop's numbers), one worker to start with and room
/// for three, on the embedded wallet.
/// </summary>
public sealed class WorkshopFixture : MinerAppFixture
{
    protected override bool Throughput => false;

    protected override IEnumerable<string> Arguments() =>
    [
        "--Mining:Redis:Backend=Embedded",
        "--Mining:Workers=1",
        "--Mining:MaxWorkers=3",
        "--Mining:MaxRngReplicas=2",
        "--Mining:MaxHasherReplicas=2",
    ];
}

[CollectionDefinition(Name)]
public sealed class WorkshopCollection : ICollectionFixture<WorkshopFixture>
{
    public const string Name = "workshop";
}

/// <summary>Runs a workshop command as the dashboard or <c>aspire resource workshop …</c> would.</summary>
public static class WorkshopCommand
{
    public static Task<Aspire.Hosting.ApplicationModel.ExecuteCommandResult> ExecuteAsync(
        Aspire.Hosting.DistributedApplication app, string command, params (string Name, string Value)[] arguments)
    {
        // Each value typed as the command declares it (a number, a choice), as a client fills the form.
        var declared = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Aspire.Hosting.ApplicationModel.DistributedApplicationModel>(app.Services)
            .Resources.Single(r => r.Name == "workshop")
            .Annotations.OfType<Aspire.Hosting.ApplicationModel.ResourceCommandAnnotation>()
            .SingleOrDefault(c => c.Name == command)?.Arguments ?? [];
        var inputs = new Aspire.Hosting.InteractionInputCollection(arguments
            .Select(a => new Aspire.Hosting.InteractionInput
            {
                Name = a.Name,
                InputType = declared.FirstOrDefault(d => d.Name == a.Name)?.InputType ?? Aspire.Hosting.InputType.Number,
                Value = a.Value,
            })
            .ToList());
        return Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Aspire.Hosting.ApplicationModel.ResourceCommandService>(app.Services)
            .ExecuteCommandAsync("workshop", command, inputs, TestContext.Current.CancellationToken);
    }
}
