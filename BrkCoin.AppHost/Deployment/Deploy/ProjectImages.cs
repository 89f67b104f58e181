using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>
/// Builds every .NET service of the model into the image the deployment files name, with the
/// SDK's container support (<c>dotnet publish -t:PublishContainer</c>), as the build command in docs/deploy.md
/// does: into the engine DOCKER_HOST points at, or pushed to <c>Deploy:Registry</c>, each pushed
/// image recorded by the digest the SDK pushed (<see cref="PushedImages"/>). No Dockerfiles.
/// </summary>
public sealed class ProjectImages(DeploymentSettings settings, CommandRunner runner, ILogger logger)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    public async Task BuildAsync(DistributedApplicationModel model, PushedImages pushed)
    {
        // One at a time: each publish already uses every core, and its log is easier to read alone.
        foreach (var project in model.Resources.OfType<ProjectResource>())
        {
            var path = project.Annotations.OfType<IProjectMetadata>().Single().ProjectPath;
            var image = settings.ImageFor(project.Name);
            logger.LogInformation("Building {Image} from {Project}", image, Path.GetFileName(path));
            var native = project.Annotations.OfType<NativeImageAnnotation>().Any();
            var output = await runner.RunCheckedAsync($"Building the image of {project.Name}", "dotnet", PublishArguments(path, project.Name, native), BuildTimeout);
            if (settings.Registry.Length > 0)
            {
                pushed.Record(image, output);
                logger.LogInformation("Pushed {Image} as {Pinned}", image, pushed.Pinned[image]);
            }
        }
    }

    public IEnumerable<string> PublishArguments(string projectPath, string resourceName, bool native = false)
    {
        // "registry.example.com/you": the SDK takes the host as the registry, the rest as the
        // start of the repository, so the pushed image is the one the deployment files name. By
        // Docker's rule a first part is a host only with a dot or a port, or as localhost;
        // "you" alone is a namespace on Docker Hub.
        var parts = settings.Registry.TrimEnd('/').Split('/', 2);
        var hasHost = parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal) || parts[0] == "localhost";
        var (registry, path) = (parts, hasHost) switch
        {
            ([""], _) => (string.Empty, string.Empty),
            ([var host], true) => (host, string.Empty),
            ([var host, var rest], true) => (host, rest + "/"),
            _ => ("docker.io", settings.Registry.TrimEnd('/') + "/"),
        };

        List<string> arguments =
        [
            "publish", projectPath, "-t:PublishContainer", "-c", "Release", "-nologo", "-v:q",
            $"-p:ContainerRepository={path}{settings.ImagePrefix}{resourceName}",
            $"-p:ContainerImageTag={settings.Tag}",
        ];
        if (registry.Length > 0)
        {
            // MSBuild then answers with the target's items as JSON, the pushed manifest's digest among them.
            arguments.AddRange([$"-p:ContainerRegistry={registry}", "-getTargetResult:PublishContainer"]);
        }

        // Native AOT compiles only for the machine's own OS: from macOS or Windows the image of a
        // native service is a JIT build of the same code, as it was before the lean images.
        if (native && !OperatingSystem.IsLinux())
        {
            arguments.Add("-p:PublishAot=false");
        }

        // A native binary needs no .NET on its base; with no base of its own named it takes the
        // other services' (which carries everything it loads), else the SDK's runtime-deps.
        var baseImage = native && settings.NativeBaseImage.Length > 0 ? settings.NativeBaseImage : settings.BaseImage;
        if (baseImage.Length > 0)
        {
            // A base without .NET (runtime-deps, or eng/engine.sh's Debian one) needs the runtime in the app.
            var architecture = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "x64";
            arguments.AddRange([$"-p:ContainerBaseImage={baseImage}", "-r", $"linux-{architecture}", "--self-contained"]);
        }

        return arguments;
    }
}
