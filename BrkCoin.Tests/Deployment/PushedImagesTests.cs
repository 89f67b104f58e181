using BrkCoin.AppHost.Deployment;
using BrkCoin.AppHost.Deployment.Deploy;
using BrkCoin.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// Through a registry, the deploy step brings up its files with each service image named by the
/// digest the SDK pushed, so a tag replaced between build and deploy is never run; what it
/// reads is MSBuild's JSON answer to <c>-getTargetResult:PublishContainer</c> (its shape checked
/// here on a real MSBuild answer's layout). Checked on the golden stack and Compose files; the
/// pull of a pinned image by a real engine is not shown here.
/// </summary>
public sealed class PushedImagesTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_push_through_a_registry_asks_the_SDK_for_its_digest()
    {
        var settings = new DeploymentSettings { Registry = "10.213.77.2:5000" };
        var images = new ProjectImages(settings, new CommandRunner(NullLogger.Instance, CancellationToken.None), NullLogger.Instance);

        Assert.Contains("-getTargetResult:PublishContainer", images.PublishArguments("BrkCoin.Rng.csproj", "rng"));
        Assert.DoesNotContain("-getTargetResult:PublishContainer",
            new ProjectImages(new DeploymentSettings(), new CommandRunner(NullLogger.Instance, CancellationToken.None), NullLogger.Instance)
                .PublishArguments("BrkCoin.Rng.csproj", "rng"));
    }

    [Fact]
    public void The_digest_is_read_from_the_SDK_answer()
    {
        var digest = PushedImages.DigestIn("reg:5000/brkcoin-rng:latest", Answer(Digest, warning: true));

        Assert.Equal(Digest, digest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Build succeeded.")]
    [InlineData("{\n  \"TargetResults\": {\n    \"PublishContainer\": {\n      \"Result\": \"Failure\",\n      \"Items\": []\n    }\n  }\n}")]
    [InlineData("{\n  \"TargetResults\": {\n    \"PublishContainer\": {\n      \"Items\": [ { \"ManifestDigest\": \"latest\" } ]\n    }\n  }\n}")]
    public void A_push_without_a_digest_fails_the_step(string output)
    {
        var failure = Assert.Throws<DeployFailedException>(() => PushedImages.DigestIn("reg:5000/brkcoin-rng:latest", output));

        Assert.Contains("reg:5000/brkcoin-rng:latest", failure.Message);
        Assert.Contains("did not say which digest", failure.Message);
    }

    [Theory]
    [InlineData("docker-stack.yaml")]
    [InlineData("docker-compose.yaml")]
    public async Task The_deployed_file_names_each_pushed_image_by_its_digest_and_nothing_else_changes(string fileName)
    {
        var file = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "BrkCoin.Tests", "Deployment", "Golden", "default", fileName),
            TestContext.Current.CancellationToken);
        var pushed = new PushedImages();
        foreach (var service in new[] { "rng", "hasher", "worker", "webui" })
        {
            pushed.Record($"brkcoin-{service}:latest", Answer(Digest));
        }

        var pinned = pushed.PinIn(file, fileName);

        foreach (var service in new[] { "rng", "hasher", "worker", "webui" })
        {
            Assert.DoesNotContain($"image: brkcoin-{service}:latest", pinned);
            Assert.Contains($"image: brkcoin-{service}@{Digest}", pinned);
        }

        // Redis is no image of ours, and every other line is as written.
        Assert.Contains("image: docker.io/library/redis:8.6", pinned);
        var changed = file.Split('\n').Zip(pinned.Split('\n')).Where(pair => pair.First != pair.Second).ToList();
        Assert.Equal(4, changed.Count);
        Assert.All(changed, pair => Assert.StartsWith("    image: brkcoin-", pair.Second));
    }

    [Fact]
    public void A_file_that_does_not_name_a_pushed_image_is_refused()
    {
        var pushed = new PushedImages();
        pushed.Record("reg:5000/brkcoin-rng:v2", Answer(Digest));

        var failure = Assert.Throws<DeployFailedException>(() =>
            pushed.PinIn("services:\n  rng:\n    image: reg:5000/brkcoin-rng:v1\n", "docker-stack.yaml"));

        Assert.Contains("does not name reg:5000/brkcoin-rng:v2", failure.Message);
    }

    [Theory]
    [InlineData("reg:5000/brkcoin-rng:latest", "reg:5000/brkcoin-rng")]
    [InlineData("reg:5000/you/brkcoin-rng", "reg:5000/you/brkcoin-rng")]
    [InlineData("brkcoin-rng:v1", "brkcoin-rng")]
    public void The_tag_is_what_follows_the_last_colon_after_the_last_slash(string image, string repository) =>
        Assert.Equal(repository, PushedImages.Repository(image));

    // MSBuild's answer to -getTargetResult, as `dotnet msbuild -getTargetResult:T` prints it.
    private static string Answer(string digest, bool warning = false) =>
        (warning ? "/work/BrkCoin.Rng/BrkCoin.Rng.csproj : warning NU1900: {something}\n" : string.Empty) + $$"""
        {
          "TargetResults": {
            "PublishContainer": {
              "Result": "Success",
              "Items": [
                {
                  "Identity": "GeneratedContainer",
                  "ManifestDigest": "{{digest}}",
                  "FullPath": "/work/BrkCoin.Rng/GeneratedContainer"
                }
              ]
            }
          }
        }
        """;
}
