using System.Text.Json;
using BrkCoin.AppHost.Launch;
using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// What the native images leave out (Directory.Build.targets) is left out when publishing only:
/// the published binary has no EventSource and carries a 1 MiB gen0 budget in its image's
/// environment, while <c>dotnet build</c>'s JIT service, which run mode starts and
/// bench/anatomy.sh reads with dotnet-counters, keeps EventSource.
/// </summary>
public sealed class NativeImageDietTests
{
    public static TheoryData<string> NativeServices => new() { "BrkCoin.Rng", "BrkCoin.Hasher", "BrkCoin.Worker" };

    [Theory]
    [MemberData(nameof(NativeServices))]
    public async Task Publishing_leaves_EventSource_out_and_sets_the_gen0_budget(string project)
    {
        using var answer = await EvaluateAsync(project, "-p:_IsPublishing=true");
        var properties = answer.RootElement.GetProperty("Properties");

        Assert.Equal("true", properties.GetProperty("PublishAot").GetString());
        Assert.Equal("false", properties.GetProperty("EventSourceSupport").GetString());
        Assert.Equal("true", properties.GetProperty("IlcFoldIdenticalMethodBodies").GetString());
        var budgets = answer.RootElement.GetProperty("Items").GetProperty("ContainerEnvironmentVariable").EnumerateArray()
            .Where(item => item.GetProperty("Identity").GetString() == "DOTNET_GCgen0size")
            .Select(item => item.GetProperty("Value").GetString())
            .ToList();
        Assert.Equal([LeanRuntime.Gen0Budget], budgets);
    }

    [Theory]
    [MemberData(nameof(NativeServices))]
    public async Task A_build_keeps_EventSource_for_run_mode(string project)
    {
        using var answer = await EvaluateAsync(project);
        Assert.NotEqual("false", answer.RootElement.GetProperty("Properties").GetProperty("EventSourceSupport").GetString());

        // And the JIT build these tests start says so in its runtime settings.
        var runtimeConfig = Path.ChangeExtension(BuiltProgram.DllOf(project), ".runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        if (properties.TryGetProperty("System.Diagnostics.Tracing.EventSource.IsSupported", out var supported))
        {
            Assert.True(supported.GetBoolean(), $"{runtimeConfig} turns EventSource off");
        }
    }

    private static async Task<JsonDocument> EvaluateAsync(string project, params string[] extra)
    {
        var (exitCode, output) = await MsBuildQuery.RunAsync(project, [
            "-p:Configuration=Release", "-p:RuntimeIdentifier=linux-x64", .. extra,
            "-getProperty:PublishAot", "-getProperty:EventSourceSupport",
            "-getProperty:IlcFoldIdenticalMethodBodies", "-getItem:ContainerEnvironmentVariable"]);
        Assert.True(exitCode == 0, output);
        // The answer is one JSON object on standard output; RunAsync appends standard error.
        var start = output.IndexOf('{');
        var end = output.LastIndexOf('}');
        Assert.True(start >= 0 && end > start, $"no JSON in msbuild's answer: {output}");
        return JsonDocument.Parse(output[start..(end + 1)]);
    }
}
