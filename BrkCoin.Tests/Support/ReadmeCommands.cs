using BrkCoin.Tests.Docs;

namespace BrkCoin.Tests.Support;

/// <summary>
/// The commands README.md gives a newcomer, read from README.md itself, so the tests that run
/// them run what README says: change a command there and these tests run the new one (or fail
/// saying README lost it).
/// </summary>
public static class ReadmeCommands
{
    private const string AppHostCommand = "dotnet run --project BrkCoin.AppHost";

    private static readonly Lazy<IReadOnlyList<string>> Commands = new(ReadCommands);

    /// <summary>Run it: the AppHost in run mode, with no setting.</summary>
    public static ReadmeCommand Run => Find("Run it", command => command.AppHostArguments.Count == 0);

    /// <summary>Deploy to Docker Compose: the deploy step with the default target.</summary>
    public static ReadmeCommand Deploy => Find("the Compose deploy", command => command.Step == "deploy" && !command.Names("--Deploy:Target"));

    /// <summary>Deploy to Docker Swarm: the deploy step with the swarm target.</summary>
    public static ReadmeCommand SwarmDeploy => Find("the Swarm deploy", command => command.Step == "deploy" && command.Names("--Deploy:Target=swarm"));

    /// <summary>Take a deployment down.</summary>
    public static ReadmeCommand Destroy => Find("the destroy", command => command.Step == "destroy");

    /// <summary>Write the deployment files only.</summary>
    public static ReadmeCommand Publish => Find("the publish", command => command.Step == "publish");

    /// <summary>Write the Aspire manifest.</summary>
    public static ReadmeCommand Manifest => Find("the manifest", command => command.Names("--publisher") && command.AppHostArguments.Contains("manifest"));

    /// <summary>The page's address README's "Run it" promises (<c>BrkCoin web UI: http://…</c>).</summary>
    public static Uri RunPageAddress => new(FindInText(@"BrkCoin web UI: (http://[^`\s]+)", "the web UI's address"));

    /// <summary>The start of the dashboard's login link README's "Run it" promises (<c>http://localhost:15080/login?t=</c>).</summary>
    public static string RunDashboardLogin => FindInText(@"(http://[a-z0-9.]+:[0-9]+/login\?t=)", "the dashboard's login link");

    private static string FindInText(string pattern, string what)
    {
        var match = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")), pattern);
        Assert.True(match.Success, $"README.md no longer names {what}.");
        return match.Groups[1].Value;
    }

    private static ReadmeCommand Find(string what, Func<ReadmeCommand, bool> match)
    {
        var found = Commands.Value.Select(line => new ReadmeCommand(line)).Where(match).ToList();
        Assert.True(found.Count > 0, $"README.md no longer gives {what} command ({AppHostCommand} …).");
        var distinct = found.Select(command => command.Text).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(distinct.Count == 1, $"README.md gives {what} command in {distinct.Count} forms:\n{string.Join('\n', distinct)}");
        return found[0];
    }

    /// <summary>Every AppHost command in README: the lines of its bash blocks, and its inline code.</summary>
    private static IReadOnlyList<string> ReadCommands()
    {
        var readme = MarkdownPage.Read(Path.Combine(RepositoryRoot.Path, "README.md"));
        var inline = readme.ProseLines().SelectMany(line => line.Text.Split('`').Where((_, i) => i % 2 == 1));
        return readme.FencedLines("bash").Concat(inline)
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line == AppHostCommand || line.StartsWith(AppHostCommand + " ", StringComparison.Ordinal))
            .ToList();
    }
}

/// <summary>One <c>dotnet run --project BrkCoin.AppHost [-- …]</c> command as README writes it.</summary>
public sealed class ReadmeCommand(string text)
{
    public string Text { get; } = text;

    /// <summary>Everything after <c>dotnet</c>: what to start <c>dotnet</c> with to type the command literally.</summary>
    public IReadOnlyList<string> DotnetArguments { get; } = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();

    /// <summary>What the AppHost itself is given: the words after <c>--</c>.</summary>
    public IReadOnlyList<string> AppHostArguments => DotnetArguments.SkipWhile(word => word != "--").Skip(1).ToList();

    public string? Step => Value("--step");

    /// <summary>Whether the command gives <paramref name="word"/> (<c>--Deploy:Target</c> also matches <c>--Deploy:Target=swarm</c>).</summary>
    public bool Names(string word) =>
        AppHostArguments.Any(argument => argument == word || argument.StartsWith(word + "=", StringComparison.Ordinal));

    /// <summary>
    /// The AppHost's arguments with the output folder moved to <paramref name="outputPath"/> (a
    /// test's own folder, so it never touches a developer's <c>deploy/</c>) and <paramref name="more"/> after them.
    /// </summary>
    public IReadOnlyList<string> AppHostArgumentsWith(string outputPath, params IEnumerable<string> more)
    {
        var arguments = AppHostArguments.ToList();
        var at = arguments.IndexOf("--output-path");
        Assert.True(at >= 0 && at + 1 < arguments.Count, $"README's command names no --output-path: {Text}");
        arguments[at + 1] = outputPath;
        return [.. arguments, .. more];
    }

    private string? Value(string option)
    {
        var arguments = AppHostArguments;
        var at = arguments.ToList().IndexOf(option);
        return at >= 0 && at + 1 < arguments.Count ? arguments[at + 1] : null;
    }
}
