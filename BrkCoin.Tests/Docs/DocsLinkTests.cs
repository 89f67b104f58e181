using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Docs;

/// <summary>
/// README.md and every page under docs/ link only to what exists: a relative link names a file
/// or folder of the repository, and an anchor names a heading of the page it points into, as
/// GitHub makes anchors. A renamed heading or a moved file fails here, not in a reader's browser.
/// </summary>
public sealed class DocsLinkTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "README.md" };
        foreach (var page in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            pages.Add(Path.GetRelativePath(RepositoryRoot.Path, page));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_and_anchor_resolves(string page)
    {
        var source = MarkdownPage.Read(Path.Combine(RepositoryRoot.Path, page));
        var broken = new List<string>();
        foreach (var (line, target) in source.Links())
        {
            if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" or "mailto")
            {
                continue;
            }

            if (Problem(source, target) is { } problem)
            {
                broken.Add($"{page}:{line} {target}: {problem}");
            }
        }

        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public void The_anchor_of_a_heading_is_the_one_GitHub_makes()
    {
        Assert.Equal("run-it", MarkdownPage.AnchorOf("Run it"));
        Assert.Equal("miningworkers-and-the-workshops-pools", MarkdownPage.AnchorOf("`Mining:Workers` and the workshop's pools"));
        Assert.Equal("deploy--compose", MarkdownPage.AnchorOf("Deploy — Compose"));
        Assert.Equal("the-workshops-cluster", MarkdownPage.AnchorOf("The workshop's [cluster](deploy.md)"));
    }

    private static string? Problem(MarkdownPage source, string target)
    {
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        var anchor = hash < 0 ? null : target[(hash + 1)..];

        var file = path.Length == 0
            ? source.Path
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source.Path)!, path));
        if (!file.StartsWith(RepositoryRoot.Path, StringComparison.Ordinal))
        {
            return "points outside the repository";
        }

        if (!File.Exists(file) && !Directory.Exists(file))
        {
            return "no such file or folder";
        }

        if (anchor is null)
        {
            return null;
        }

        if (!file.EndsWith(".md", StringComparison.Ordinal))
        {
            return "an anchor into a file that is not Markdown";
        }

        return MarkdownPage.Read(file).Anchors().Contains(anchor) ? null : $"no heading makes #{anchor}";
    }
}
