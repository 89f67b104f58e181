using BrkCoin.Tests.Support;

namespace BrkCoin.Tests.Deployment;

/// <summary>
/// The files the publish step writes, byte for byte, against the ones kept in <c>Golden/</c>:
/// a change to the model, the planner or a writer that alters a deployment shows up here as a
/// diff to read, not as a surprise on somebody's cluster. When a change is meant, publish with the
/// arguments below and replace the folder (docs/testing.md, "Regenerating the expected files").
/// </summary>
public sealed class PublishedFilesUnchangedTests
{
    // A fixed password, so .env and secrets.env are reproducible too.
    private static readonly string[] Common = ["--Parameters:redis-password=GoldenPassword1"];

    public static TheoryData<string, string[]> Shapes => new()
    {
        { "default", [] },
        {
            "pernode",
            [
                "--Deploy:RngPerNode=true", "--Deploy:Dashboard=true", "--Deploy:IngressHost=brkcoin.example",
                "--Deploy:EndpointMode=dnsrr", "--Deploy:WebUiAddress=127.0.0.1", "--Mining:Workers=3", "--Mining:Throughput=true",
                "--Deploy:EncryptedOverlay=true", "--Deploy:WalletMemory=64",
            ]
        },
        { "autoscaler", ["--Deploy:RngAutoscaler=true"] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Published_files_are_the_expected_ones(string shape, string[] arguments)
    {
        var output = Directory.CreateTempSubdirectory("brkcoin-golden-").FullName;
        try
        {
            var publish = BuiltProgram.StartInfo("BrkCoin.AppHost",
                ReadmeCommands.Publish.AppHostArgumentsWith(output, [.. Common, .. arguments]));
            var (exitCode, log) = await BuiltProgram.RunAsync(publish, TimeSpan.FromMinutes(3));
            Assert.True(exitCode == 0, $"publish failed ({exitCode}):\n{log}");

            var expected = Path.Combine(RepositoryRoot.Path, "BrkCoin.Tests", "Deployment", "Golden", shape);
            Assert.Equal(FilesUnder(expected), FilesUnder(output));
            foreach (var file in FilesUnder(expected))
            {
                var want = await File.ReadAllTextAsync(Path.Combine(expected, file), TestContext.Current.CancellationToken);
                var got = await File.ReadAllTextAsync(Path.Combine(output, file), TestContext.Current.CancellationToken);
                Assert.True(want == got, $"{shape}/{file} differs from the expected file:\n{FirstDifference(want, got)}");
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static List<string> FilesUnder(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f))
            .Order(StringComparer.Ordinal)];

    private static string FirstDifference(string want, string got)
    {
        var wantLines = want.Split('\n');
        var gotLines = got.Split('\n');
        for (var i = 0; i < Math.Max(wantLines.Length, gotLines.Length); i++)
        {
            var w = i < wantLines.Length ? wantLines[i] : "<end of file>";
            var g = i < gotLines.Length ? gotLines[i] : "<end of file>";
            if (w != g)
            {
                return $"line {i + 1}\n expected: {w}\n      got: {g}";
            }
        }

        return "(no line differs)";
    }
}
