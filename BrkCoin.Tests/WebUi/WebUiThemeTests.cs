using System.Text.Json;
using System.Text.RegularExpressions;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.WebUi;

/// <summary>
/// The web UI keeps one of Radzen's thirty themes (its project's <c>DropUnlinkedRadzenThemes</c>):
/// the one the page links must be the one kept, and no other may be left in the built manifest.
/// </summary>
public sealed partial class WebUiThemeTests
{
    [Fact]
    public void The_page_links_the_one_Radzen_theme_the_build_keeps()
    {
        var kept = KeptTheme();
        var app = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "BrkCoin.WebUi", "Components", "App.razor"));
        var linked = RadzenCssLink().Matches(app).Select(m => m.Groups["path"].Value).ToList();
        Assert.Equal([kept], linked);
    }

    [Fact]
    public void The_built_web_UI_serves_no_other_Radzen_theme()
    {
        var manifest = Path.Combine(Path.GetDirectoryName(BuiltProgram.DllOf("BrkCoin.WebUi"))!, "BrkCoin.WebUi.staticwebassets.endpoints.json");
        using var endpoints = JsonDocument.Parse(File.ReadAllText(manifest));
        var routes = endpoints.RootElement.GetProperty("Endpoints").EnumerateArray()
            .Select(e => e.GetProperty("Route").GetString()!)
            .ToList();

        var themes = routes.Where(r => r.StartsWith("_content/Radzen.Blazor/css/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(themes);
        // The theme itself, fingerprinted or not, and its compressed copies.
        var stem = "_content/Radzen.Blazor/" + Path.ChangeExtension(KeptTheme(), null) + ".";
        Assert.All(themes, route => Assert.StartsWith(stem, route, StringComparison.Ordinal));
        // What Radzen needs besides its theme stays: its script.
        Assert.Contains("_content/Radzen.Blazor/Radzen.Blazor.js", routes);
    }

    private static string KeptTheme()
    {
        var project = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "BrkCoin.WebUi", "BrkCoin.WebUi.csproj"));
        var kept = ThemeProperty().Match(project).Groups["theme"].Value;
        Assert.NotEmpty(kept);
        return kept;
    }

    [GeneratedRegex("<RadzenTheme>(?<theme>[^<]+)</RadzenTheme>")]
    private static partial Regex ThemeProperty();

    [GeneratedRegex("href=\"_content/Radzen\\.Blazor/(?<path>[^\"]+\\.css)\"")]
    private static partial Regex RadzenCssLink();
}
