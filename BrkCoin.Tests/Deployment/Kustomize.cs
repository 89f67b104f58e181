using System.Diagnostics;
using BrkCoin.Tests.Support;
using k8s;

namespace BrkCoin.Tests.Deployment;

/// <summary><c>kubectl kustomize</c> on a published folder, its objects loaded strictly into KubernetesClient's typed models.</summary>
public static class Kustomize
{
    public static async Task<List<object>> RenderAsync(string folder)
    {
        Prerequisite.Require(File.Exists("/usr/bin/kubectl") || File.Exists("/usr/local/bin/kubectl") ? null : "kubectl is not installed.");
        var (exitCode, output) = await BuiltProgram.RunAsync(
            new ProcessStartInfo("kubectl", ["kustomize", folder])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
            TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, output);

        // Strict: a field the typed model does not know fails the load.
        return KubernetesYaml.LoadAllFromString(output, strict: true).ToList();
    }

    /// <summary>Serialised and loaded again, strictly, an object reads the same.</summary>
    public static void AssertRoundTrips(object item)
    {
        var again = KubernetesYaml.LoadAllFromString(KubernetesYaml.Serialize(item), strict: true).Single();
        Assert.Equal(KubernetesYaml.Serialize(item), KubernetesYaml.Serialize(again));
    }
}
