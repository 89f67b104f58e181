using Aspire.Hosting.ApplicationModel;

namespace BrkCoin.AppHost.Wallet;

/// <summary>A container image name split as Aspire's image annotation holds it: registry, image, tag.</summary>
public sealed record ImageReference(string? Registry, string Image, string? Tag)
{
    /// <summary>
    /// Parses "[registry/]path[:tag]". The first component is a registry when it looks like a
    /// host (has a dot or a port, or is localhost), as Docker decides; the tag is what follows the
    /// last colon after the last slash, so "127.0.0.1:5000/redis" has no tag.
    /// </summary>
    public static ImageReference Parse(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        string? registry = null;
        var path = reference;
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = reference[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first;
                path = reference[(slash + 1)..];
            }
        }

        string? tag = null;
        var colon = path.LastIndexOf(':');
        if (colon > path.LastIndexOf('/'))
        {
            tag = path[(colon + 1)..];
            path = path[..colon];
        }

        return new ImageReference(registry, path, tag);
    }

    public static ImageReference Of(IResource resource)
    {
        var image = resource.Annotations.OfType<ContainerImageAnnotation>().Last();
        return new ImageReference(image.Registry, image.Image, image.Tag);
    }

    public void ApplyTo<T>(IResourceBuilder<T> container) where T : ContainerResource
    {
        container.WithImageRegistry(Registry).WithImage(Image, Tag ?? "latest");
    }

    public override string ToString()
    {
        var name = string.IsNullOrEmpty(Registry) ? Image : $"{Registry}/{Image}";
        return string.IsNullOrEmpty(Tag) ? name : $"{name}:{Tag}";
    }
}
