namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// Reads the NAME=value lines of a .env file the publish step wrote. A file edited by hand may
/// repeat a name (the last one wins, as in Compose) or end its lines in CRLF; the caller decides
/// whether a value is usable.
/// </summary>
public static class EnvFile
{
    public static Dictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var line in File.ReadAllLines(path).Select(l => l.TrimEnd('\r')))
        {
            if (line.Length > 0 && !line.StartsWith('#') && line.Split('=', 2) is [var name, { Length: > 0 } value])
            {
                values[name.Trim()] = value;
            }
        }

        return values;
    }
}
