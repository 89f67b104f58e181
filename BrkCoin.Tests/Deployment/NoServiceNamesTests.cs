using System.Text.RegularExpressions;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// The writers and the workshop read what each resource declares in AppHost.cs; none of them may
/// decide by a service's name, or the next service (or a renamed one) silently loses its behaviour.
/// </summary>
public sealed partial class NoServiceNamesTests
{
    [Theory]
    [InlineData("Deployment")]
    [InlineData("Workshop")]
    public void No_service_name_is_a_literal_in(string folder)
    {
        var names = ResourceNames().Matches(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "BrkCoin.AppHost", "AppHost.cs")))
            .Select(m => m.Groups["name"].Value)
            .Append("redis")
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("rng", names);

        var found = Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "BrkCoin.AppHost", folder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
            // Comments may give an example; code may not.
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            // "rng" as a literal, or at the start of one ("rng-", "rng:").
            .Where(l => names.Any(name => System.Text.RegularExpressions.Regex.IsMatch(l.line, $"\"{name}(\"|[-:_./])")))
            .Select(l => $"{Path.GetFileName(l.file)}:{l.index + 1}: {l.line.Trim()}")
            .ToList();

        Assert.True(found.Count == 0, "service names as literals:\n" + string.Join('\n', found));
    }

    [GeneratedRegex("""AddProject<[^>]+>\("(?<name>[a-z-]+)"\)""")]
    private static partial Regex ResourceNames();
}
