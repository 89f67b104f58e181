namespace BrkCoin.AppHost.Deployment;

/// <summary>Reads the NAME=value lines of a .env file the publish step wrote.</summary>
public static class EnvFile
{
    public static Dictionary<string, string> Read(string path) =>
        !File.Exists(path)
            ? []
            : File.ReadAllLines(path)
                .Where(line => line.Length > 0 && !line.StartsWith('#'))
                .Select(line => line.Split('=', 2))
                .Where(pair => pair.Length == 2 && pair[1].Length > 0)
                .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
}
