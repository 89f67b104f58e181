using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>
/// The images the images step pushed to <c>Deploy:Registry</c>, each by the digest of the manifest
/// the SDK pushed. The deploy step brings its files up naming these digests
/// (<c>repository@sha256:…</c>), so a tag replaced in the registry between the build and the
/// deploy, by anyone who may push there, is never what runs. The publish step's files, written
/// without a build, keep the tags.
/// </summary>
public sealed partial class PushedImages
{
    private readonly Dictionary<string, string> _pinned = new(StringComparer.Ordinal);

    /// <summary>Tagged image (as the files name it) → the same repository at the pushed digest.</summary>
    public IReadOnlyDictionary<string, string> Pinned => _pinned;

    /// <summary>Records a pushed image from the output of its <c>-getTargetResult:PublishContainer</c> publish.</summary>
    public void Record(string taggedImage, string publishOutput) =>
        _pinned[taggedImage] = $"{Repository(taggedImage)}@{DigestIn(taggedImage, publishOutput)}";

    /// <summary>
    /// The manifest digest the SDK reports for the image it pushed (the PublishContainer target's
    /// GeneratedContainer item), from MSBuild's JSON answer to <c>-getTargetResult</c>.
    /// </summary>
    public static string DigestIn(string taggedImage, string publishOutput)
    {
        // Only the JSON answer is printed on success; a warning line may come before it.
        var json = JsonAnswer().Match(publishOutput);
        string? digest = null;
        if (json.Success)
        {
            try
            {
                using var answer = JsonDocument.Parse(json.Value);
                digest = answer.RootElement.GetProperty("TargetResults").GetProperty("PublishContainer").GetProperty("Items")
                    .EnumerateArray().Select(item => item.TryGetProperty("ManifestDigest", out var value) ? value.GetString() : null)
                    .FirstOrDefault(value => value is not null);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                digest = null;
            }
        }

        return digest is not null && Sha256Digest().IsMatch(digest)
            ? digest
            : throw new DeployFailedException(
                $"The SDK pushed {taggedImage} but did not say which digest it pushed; without it the deployment would run whatever the tag names when it pulls.");
    }

    /// <summary>
    /// A deployment file with every service image that was pushed named by its digest; the rest of
    /// the text as it was. Fails when a pushed image is not in the file: it was not written for
    /// this build.
    /// </summary>
    public string PinIn(string file, string fileName)
    {
        if (_pinned.Count == 0)
        {
            return file;
        }

        var yaml = new YamlStream();
        using (var reader = new StringReader(file))
        {
            yaml.Load(reader);
        }

        var images = yaml.Documents.Count == 1
            && yaml.Documents[0].RootNode is YamlMappingNode root
            && root.Children.TryGetValue(new YamlScalarNode("services"), out var services)
            && services is YamlMappingNode serviceMap
                ? serviceMap.Children.Values.OfType<YamlMappingNode>()
                    .Select(service => service.Children.TryGetValue(new YamlScalarNode("image"), out var image) ? image as YamlScalarNode : null)
                    .OfType<YamlScalarNode>()
                    .Where(image => image.Value is not null && _pinned.ContainsKey(image.Value))
                    .ToList()
                : [];

        var missing = _pinned.Keys.Except(images.Select(image => image.Value!), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new DeployFailedException($"{fileName} does not name {string.Join(", ", missing)}, which this deploy built: it was not written for this build.");
        }

        // From the end, so each replacement leaves the earlier positions where they were.
        var text = new System.Text.StringBuilder(file);
        foreach (var image in images.OrderByDescending(image => image.Start.Index))
        {
            var (start, end) = ((int)image.Start.Index, (int)image.End.Index);
            text.Remove(start, end - start).Insert(start, _pinned[image.Value!]);
        }

        return text.ToString();
    }

    /// <summary>Rewrites the file the deploy step brings up (docker-compose.yaml or docker-stack.yaml) in place.</summary>
    public async Task PinAsync(string path, CancellationToken cancellationToken)
    {
        var file = await File.ReadAllTextAsync(path, cancellationToken);
        var pinned = PinIn(file, Path.GetFileName(path));
        if (!ReferenceEquals(pinned, file))
        {
            await File.WriteAllTextAsync(path, pinned, cancellationToken);
        }
    }

    /// <summary>"registry:5000/brkcoin-rng:latest" → "registry:5000/brkcoin-rng": the tag is after the last '/'.</summary>
    public static string Repository(string taggedImage)
    {
        var slash = taggedImage.LastIndexOf('/');
        var colon = taggedImage.LastIndexOf(':');
        return colon > slash ? taggedImage[..colon] : taggedImage;
    }

    [GeneratedRegex(@"^\{.*^\}", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex JsonAnswer();

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Sha256Digest();
}
