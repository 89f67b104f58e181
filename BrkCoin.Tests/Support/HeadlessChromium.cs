using Microsoft.Playwright;

namespace BrkCoin.Tests.Support;

/// <summary>Debian's Chromium under Playwright: Playwright never downloads a browser here.</summary>
public static class HeadlessChromium
{
    public const string Path = "/usr/bin/chromium";

    /// <summary>Why the browser tests cannot run here, or null.</summary>
    public static string? Missing => File.Exists(Path) ? null : "chromium is not installed (apt-get install chromium).";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            // Running as root in CI needs --no-sandbox; the rest keep Chromium off the network
            // these machines do not have.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
}
