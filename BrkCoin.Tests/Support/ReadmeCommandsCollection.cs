namespace BrkCoin.Tests.Support;

/// <summary>
/// The tests that type README's commands at the repository root: each `dotnet run` restores and
/// builds the AppHost in the same obj/ folders, so they take turns.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReadmeCommandsCollection
{
    public const string Name = "README's commands";
}
