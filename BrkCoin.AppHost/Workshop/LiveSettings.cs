using System.Text.Json;
using System.Text.Json.Nodes;

namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// The settings a trainer changes while the miner runs, kept in a JSON file that rng, hasher and
/// the web UI add as their last configuration source (<c>LiveSettings:File</c>) and watch for
/// changes: their options monitors pick a new value up within a second, without a restart and
/// without any endpoint to call. Run mode only; deployment files never name it. Which settings
/// there are is declared with each service in AppHost.cs (its knobs, its replica pool); this file
/// only keeps them, by their configuration path ("Rng:Latency").
/// </summary>
public sealed class LiveSettings : IDisposable
{
    private readonly Lock _writing = new();
    // Configuration path → value, in the order they were first declared.
    private readonly List<(string Path, JsonNode Value)> _values = [];
    private readonly DirectoryInfo _directory;

    public LiveSettings()
    {
        _directory = Directory.CreateTempSubdirectory("brkcoin-live-");
        FilePath = Path.Combine(_directory.FullName, "live-settings.json");
        Write();
    }

    public string FilePath { get; }

    /// <summary>The value at <paramref name="path"/> as last set, or null before it was.</summary>
    public JsonNode? Get(string path)
    {
        lock (_writing)
        {
            return _values.FirstOrDefault(v => v.Path == path).Value?.DeepClone();
        }
    }

    /// <summary>Sets one setting and rewrites the file.</summary>
    public void Set(string path, JsonNode value)
    {
        lock (_writing)
        {
            var index = _values.FindIndex(v => v.Path == path);
            if (index < 0)
            {
                _values.Add((path, value));
            }
            else
            {
                _values[index] = (path, value);
            }

            Write();
        }
    }

    /// <summary>
    /// Records where a service's running replicas serve. The workers take them in turn rather than
    /// go through Aspire's proxy, which places each connection on a random replica: ten workers on
    /// three rng replicas then mine ~24 hashes/s where the lesson says 30.
    /// </summary>
    public void SetAddresses(string path, IReadOnlyList<Uri> replicas) =>
        Set(path, new JsonArray([.. replicas.Select(uri => JsonValue.Create(uri.ToString()))]));

    // Written beside and renamed over: a watcher never reads half a file.
    private void Write()
    {
        var document = new JsonObject();
        foreach (var (path, value) in _values)
        {
            var keys = path.Split(':');
            var section = document;
            foreach (var key in keys[..^1])
            {
                section = section[key] as JsonObject ?? (JsonObject)(section[key] = new JsonObject());
            }

            section[keys[^1]] = value.DeepClone();
        }

        var staging = FilePath + ".new";
        File.WriteAllText(staging, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(staging, FilePath, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; shutting down must not fail over it.
        }
    }
}
