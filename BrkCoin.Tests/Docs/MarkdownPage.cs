using System.Text;
using System.Text.RegularExpressions;

namespace BrkCoin.Tests.Docs;

/// <summary>
/// One Markdown page of the repository read the way GitHub renders it, for what the docs tests
/// check: its headings' anchors, its links, its tables and its shell commands. Text inside code
/// fences and inline code is neither a heading nor a link.
/// </summary>
public sealed partial class MarkdownPage
{
    private MarkdownPage(string path, string[] lines)
    {
        Path = path;
        Lines = lines;
    }

    public string Path { get; }

    public string[] Lines { get; }

    public static MarkdownPage Read(string path) => new(path, File.ReadAllLines(path));

    /// <summary>The page's lines outside code fences, with their line numbers (1-based).</summary>
    public IEnumerable<(int Number, string Text)> ProseLines()
    {
        var fenced = false;
        for (var i = 0; i < Lines.Length; i++)
        {
            if (Lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (!fenced)
            {
                yield return (i + 1, Lines[i]);
            }
        }
    }

    /// <summary>The lines of each fenced block whose info string is <paramref name="language"/>.</summary>
    public IEnumerable<string> FencedLines(string language)
    {
        var inside = false;
        foreach (var line in Lines)
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                inside = !inside && trimmed[3..].Trim() == language;
                continue;
            }

            if (inside)
            {
                yield return line;
            }
        }
    }

    /// <summary>
    /// The anchors GitHub gives the page's headings: the text lower-cased, every character that is
    /// not a letter, a digit, a space, a hyphen or an underscore dropped, spaces turned to hyphens,
    /// and "-1", "-2" … after a repeat.
    /// </summary>
    public IReadOnlySet<string> Anchors()
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, text) in ProseLines())
        {
            if (Heading().Match(text) is not { Success: true } heading)
            {
                continue;
            }

            var anchor = AnchorOf(heading.Groups[1].Value);
            var unique = anchor;
            for (var repeat = 1; !anchors.Add(unique); repeat++)
            {
                unique = $"{anchor}-{repeat}";
            }
        }

        return anchors;
    }

    public static string AnchorOf(string heading)
    {
        // A link in a heading anchors on its text only.
        var text = InlineLink().Replace(heading.Trim(), "$1").ToLowerInvariant();
        var anchor = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                anchor.Append(c);
            }
            else if (c == ' ')
            {
                anchor.Append('-');
            }
        }

        return anchor.ToString();
    }

    /// <summary>Every link and image target in the page's prose, with its line number.</summary>
    public IEnumerable<(int Line, string Target)> Links()
    {
        foreach (var (number, text) in ProseLines())
        {
            var prose = InlineCode().Replace(text, string.Empty);
            foreach (Match link in InlineLink().Matches(prose))
            {
                yield return (number, link.Groups[2].Value.Trim());
            }
        }
    }

    /// <summary>The rows of every table in the page's prose, each cell trimmed; separator rows left out.</summary>
    public IEnumerable<string[]> TableRows()
    {
        foreach (var (_, text) in ProseLines())
        {
            var line = text.Trim();
            if (!line.StartsWith('|') || SeparatorRow().IsMatch(line))
            {
                continue;
            }

            yield return line.Trim('|').Split('|').Select(cell => cell.Trim()).ToArray();
        }
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"!?\[([^\]]*)\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")]
    private static partial Regex SeparatorRow();
}
