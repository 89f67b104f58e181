namespace BrkCoin.Tests.Support;

/// <summary>Finds the machine's programs a test needs (redis-server, dockerd, …).</summary>
public static class Tool
{
    /// <summary>The program's full path, or null; sbin folders count, as a non-root PATH may lack them.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
