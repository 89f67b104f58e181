using BrkCoin.AppHost.Deployment;
using BrkCoin.AppHost.Deployment.Deploy;
using Microsoft.Extensions.Logging.Abstractions;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// The deploy step builds a natively compiled service on the native base when one is named, on
/// the other services' base otherwise, and never puts the native base under a JIT service.
/// </summary>
public sealed class NativeImageBaseTests
{
    [Theory]
    [InlineData("debian-deps", "native-deps", true, "native-deps")]
    [InlineData("debian-deps", "native-deps", false, "debian-deps")]
    [InlineData("debian-deps", "", true, "debian-deps")]
    [InlineData("", "native-deps", true, "native-deps")]
    public void The_image_is_built_on_the_base_its_kind_needs(string baseImage, string nativeBaseImage, bool native, string expected)
    {
        var settings = new DeploymentSettings { BaseImage = baseImage, NativeBaseImage = nativeBaseImage };
        var images = new ProjectImages(settings, new CommandRunner(NullLogger.Instance, CancellationToken.None), NullLogger.Instance);

        var arguments = images.PublishArguments("BrkCoin.Rng.csproj", "rng", native).ToList();

        Assert.Contains($"-p:ContainerBaseImage={expected}", arguments);
        Assert.Contains("--self-contained", arguments);
    }

    [Fact]
    public void With_no_base_named_the_SDK_chooses()
    {
        var images = new ProjectImages(new DeploymentSettings(), new CommandRunner(NullLogger.Instance, CancellationToken.None), NullLogger.Instance);

        Assert.DoesNotContain(images.PublishArguments("BrkCoin.Rng.csproj", "rng", native: true), a => a.StartsWith("-p:ContainerBaseImage", StringComparison.Ordinal));
    }
}
