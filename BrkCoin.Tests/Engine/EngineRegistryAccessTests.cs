using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Engine;

/// <summary>
/// eng/engine.sh's registry has no authentication and root runs what it pulls from it, so only
/// root may connect: another user (here nobody, uid 65534) is refused at the port, while root's
/// own requests, and so dockerd's pulls and pushes, pass. Shows the rule on this machine's
/// loopback; it cannot show who else may hold root.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class EngineRegistryAccessTests(DockerEngineFixture engine)
{
    [Fact]
    public async Task Only_root_reaches_the_engine_registry()
    {
        Prerequisite.Require(engine.Missing);
        Prerequisite.Require(Tool.Find("curl") is null ? "curl asks the registry (apt-get install curl)." : null);
        var catalog = $"http://{engine.BaseImage.Split('/')[0]}/v2/_catalog";
        string[] curl = ["curl", "--silent", "--show-error", "--max-time", "10", catalog];

        var asRoot = await engine.RunAsync(curl[0], curl[1..], TimeSpan.FromSeconds(30));
        var asNobody = await engine.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", .. curl], TimeSpan.FromSeconds(30));

        Assert.True(asRoot.ExitCode == 0, $"root could not reach the registry: {asRoot.Output}");
        Assert.Contains("brkcoin/debian-dotnet-deps", asRoot.Output);
        // curl's 7: the connection itself was refused, before any HTTP.
        Assert.True(asNobody.ExitCode == 7, $"nobody got past the port (curl exited {asNobody.ExitCode}): {asNobody.Output}");
        Assert.DoesNotContain("repositories", asNobody.Output);
    }
}
