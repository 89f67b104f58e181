using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace BrkCoin.Tests.Deployment;

/// <summary>The generated docker-compose.yaml and .env, read back as data.</summary>
public sealed partial class ComposeFile
{
    public ComposeFile(string folder)
    {
        Root = new DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(folder, "docker-compose.yaml")));
        Secrets = File.ReadAllLines(Path.Combine(folder, ".env"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
    }

    public Dictionary<string, object> Root { get; }

    public IReadOnlyDictionary<string, string> Secrets { get; }

    public IEnumerable<string> ServiceNames => Map(Root["services"]).Keys;

    public Dictionary<string, object> Service(string name) => Map(Map(Root["services"])[name]);

    public List<string> Networks(string service) => List(Service(service)["networks"]);

    public Dictionary<string, string> Environment(string service) =>
        Map(Service(service)["environment"]).ToDictionary(p => p.Key, p => (string)p.Value);

    /// <summary>A value as the container receives it: ${NAME} from .env, $$ as a literal $.</summary>
    public string Interpolate(string value) =>
        Interpolation().Replace(value, match => match.Value == "$$" ? "$" : Secrets[match.Groups[1].Value]);

    public static Dictionary<string, object> Map(object node) =>
        ((Dictionary<object, object>)node).ToDictionary(p => (string)p.Key, p => p.Value);

    public static List<string> List(object node) => ((List<object>)node).Select(item => (string)item).ToList();

    [GeneratedRegex(@"\$\$|\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Interpolation();
}
