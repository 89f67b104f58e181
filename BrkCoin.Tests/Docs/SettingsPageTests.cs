using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using BrkCoin.AppHost;
using BrkCoin.AppHost.Deployment;
using BrkCoin.Hasher;
using BrkCoin.Rng;
using BrkCoin.Settings;
using BrkCoin.Tests.Support;
using BrkCoin.Worker;
using Microsoft.Extensions.Configuration;

namespace BrkCoin.Tests.Docs;

/// <summary>
/// docs/settings.md lists exactly the settings the code reads — every property of the options
/// classes, and every key read by name — with the defaults and ranges the code has. A setting
/// added, renamed or given a new default fails here until the page says so.
/// </summary>
public sealed partial class SettingsPageTests
{
    // Each options class with the program whose appsettings.json may restate (and so override) its defaults.
    private static readonly (Type Options, string Section, string Program)[] OptionsClasses =
    [
        (typeof(MiningSettings), MiningSettings.Section, "BrkCoin.AppHost"),
        (typeof(DeploymentSettings), DeploymentSettings.Section, "BrkCoin.AppHost"),
        (typeof(RngOptions), RngOptions.Section, "BrkCoin.Rng"),
        (typeof(HasherOptions), HasherOptions.Section, "BrkCoin.Hasher"),
        (typeof(WorkerOptions), WorkerOptions.Section, "BrkCoin.Worker"),
    ];

    // Keys the code composes at run time, so no literal names them: Aspire reads the wallet's
    // connection string and its password parameter by the resource's name.
    private static readonly string[] ComposedKeys = ["ConnectionStrings:redis", "Parameters:redis-password"];

    private static readonly Dictionary<string, string[]> Documented = ReadPage();

    [Fact]
    public void The_page_lists_exactly_the_settings_the_code_reads()
    {
        var read = OptionsSettings().Select(setting => setting.Key)
            .Concat(KeysReadByName())
            .Concat(ComposedKeys)
            .ToHashSet(StringComparer.Ordinal);

        var undocumented = read.Except(Documented.Keys).Order(StringComparer.Ordinal).ToList();
        var unread = Documented.Keys.Except(read).Order(StringComparer.Ordinal).ToList();
        Assert.True(undocumented.Count == 0, $"read by the code, missing from docs/settings.md: {string.Join(", ", undocumented)}");
        Assert.True(unread.Count == 0, $"on docs/settings.md, read by no code: {string.Join(", ", unread)}");
    }

    [Fact]
    public void Every_default_on_the_page_is_the_code_s()
    {
        var wrong = new List<string>();
        foreach (var (key, property, owner) in OptionsSettings())
        {
            var actual = property.GetValue(owner);
            if (Documented.TryGetValue(key, out var row) && !SameDefault(actual, Cell(row, Column.Default)))
            {
                wrong.Add($"{key}: the page says '{Cell(row, Column.Default)}', the code has '{actual}'");
            }
        }

        Assert.True(
            Cell(Documented["Telemetry:TracesPerSecond"], Column.Default) == Microsoft.Extensions.Hosting.Extensions.DefaultTracesPerSecond.ToString(CultureInfo.InvariantCulture),
            "Telemetry:TracesPerSecond's default differs from the code's");
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void Every_range_on_the_page_is_the_one_validation_enforces()
    {
        var wrong = new List<string>();
        foreach (var (key, property, _) in OptionsSettings())
        {
            if (Bounds(property) is not { } bounds || !Documented.TryGetValue(key, out var row))
            {
                continue;
            }

            var range = Cell(row, Column.Range).Replace("`", string.Empty, StringComparison.Ordinal).Split('–');
            if (range.Length != 2 || !Equals(Parse(range[0], bounds.Min.GetType()), bounds.Min) || !Equals(Parse(range[1], bounds.Max.GetType()), bounds.Max))
            {
                wrong.Add($"{key}: the page says '{Cell(row, Column.Range)}', validation allows {bounds.Min}–{bounds.Max}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    private enum Column
    {
        Default = 1,
        Range = 2,
    }

    private static string Cell(string[] row, Column column) => row[(int)column];

    private static Dictionary<string, string[]> ReadPage()
    {
        var page = MarkdownPage.Read(Path.Combine(RepositoryRoot.Path, "docs", "settings.md"));
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var row in page.TableRows())
        {
            if (SettingName().Match(row[0]) is { Success: true } name)
            {
                Assert.True(rows.TryAdd(name.Groups[1].Value, row), $"{name.Groups[1].Value} is listed twice");
                Assert.True(row.Length >= 3, $"{name.Groups[1].Value}'s row has no range column");
            }
        }

        return rows;
    }

    /// <summary>
    /// Every bindable property of the options classes, nested sections included, with the instance
    /// that holds its default: the class's own, or its program's appsettings.json where that file sets it.
    /// </summary>
    private static IEnumerable<(string Key, PropertyInfo Property, object Owner)> OptionsSettings()
    {
        foreach (var (type, section, program) in OptionsClasses)
        {
            var appsettings = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(RepositoryRoot.Path, program, "appsettings.json"), optional: true)
                .Build();
            var defaults = appsettings.GetSection(section).Get(type) ?? Activator.CreateInstance(type)!;
            foreach (var setting in Properties(defaults, section))
            {
                yield return setting;
            }
        }
    }

    private static IEnumerable<(string Key, PropertyInfo Property, object Owner)> Properties(object owner, string prefix)
    {
        foreach (var property in owner.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var key = $"{prefix}:{property.Name}";
            if (property.PropertyType.IsClass && property.PropertyType.Namespace?.StartsWith("BrkCoin", StringComparison.Ordinal) == true)
            {
                foreach (var nested in Properties(property.GetValue(owner)!, key))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return (key, property, owner);
            }
        }
    }

    /// <summary>Keys the programs read by name, outside the options classes (<c>configuration["Metrics:Prometheus"]</c>).</summary>
    private static IEnumerable<string> KeysReadByName()
    {
        string[] programs = ["BrkCoin.AppHost", "BrkCoin.ServiceDefaults", "BrkCoin.Rng", "BrkCoin.Hasher", "BrkCoin.Worker", "BrkCoin.WebUi"];
        foreach (var program in programs)
        {
            var folder = Path.Combine(RepositoryRoot.Path, program);
            foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(folder, file);
                if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match key in KeyLiteral().Matches(File.ReadAllText(file)))
                {
                    yield return key.Groups[1].Value;
                }
            }
        }
    }

    private static bool SameDefault(object? actual, string documented)
    {
        var value = documented.StartsWith('`') ? documented.Split('`')[1] : documented.Split(' ')[0];
        return actual switch
        {
            null or "" => documented.StartsWith("empty", StringComparison.Ordinal),
            System.Collections.ICollection { Count: 0 } => documented.StartsWith("empty", StringComparison.Ordinal),
            Uri uri => value == uri.OriginalString,
            string text => value == text,
            bool flag => value == (flag ? "true" : "false"),
            Enum choice => value == choice.ToString(),
            _ => Equals(Parse(value, actual.GetType()), actual),
        };
    }

    private static (object Min, object Max)? Bounds(PropertyInfo property) =>
        property.GetCustomAttribute<TimeSpanRangeAttribute>() is { } span ? (span.Minimum, span.Maximum)
        : property.GetCustomAttribute<RangeAttribute>() is { } range
            ? (range.OperandType == typeof(TimeSpan)
                ? (TimeSpan.Parse((string)range.Minimum, CultureInfo.InvariantCulture), TimeSpan.Parse((string)range.Maximum, CultureInfo.InvariantCulture))
                : (Convert.ToInt64(range.Minimum, CultureInfo.InvariantCulture), Convert.ToInt64(range.Maximum, CultureInfo.InvariantCulture)))
            : null;

    private static object? Parse(string text, Type type)
    {
        text = text.Trim().Replace(",", string.Empty, StringComparison.Ordinal);
        if (type == typeof(TimeSpan))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var time) ? time : null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? Convert.ChangeType(number, type, CultureInfo.InvariantCulture)
            : null;
    }

    [GeneratedRegex(@"^`([A-Za-z]+(?::[A-Za-z-]+)+)`$")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"""((?:Mining|Deploy|Rng|Hasher|Worker|WebUi|Telemetry|Metrics|LiveSettings|Workshop|ConnectionStrings|Parameters)(?::[A-Za-z-]+)+)""")]
    private static partial Regex KeyLiteral();
}
