namespace BrkCoin.AppHost.Deployment;

/// <summary>Writes a file that holds a live password: readable by its owner only.</summary>
public static class SecretFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static async Task WriteAsync(string path, string text, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            await File.WriteAllTextAsync(path, text, cancellationToken);
            return;
        }

        // Narrowed before the first byte is written, so the password is never world-readable,
        // even for a moment or when an older, wider file is overwritten.
        if (File.Exists(path))
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }

        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(text.AsMemory(), cancellationToken);
    }
}
