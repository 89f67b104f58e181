using System.Text.RegularExpressions;
using BrkCoin.AppHost.Deployment;
using k8s.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace BrkCoin.Tests.Support;

/// <summary>
/// A prometheus-adapter rule's <c>metricsQuery</c>, evaluated for one pod over two scrapes of its
/// <c>/metrics</c> as Prometheus would. Only the shape the published rule has is understood,
/// <c>sum(rate(&lt;&lt;.Series&gt;&gt;{&lt;&lt;.LabelMatchers&gt;&gt;}[window])) by (&lt;&lt;.GroupBy&gt;&gt;)</c>,
/// with the series its <c>seriesQuery</c> names; any other is refused rather than guessed. The
/// rate is taken between the two scrapes, not over the rule's window, which only smooths it.
/// </summary>
public sealed partial record AdapterQuery(string Series)
{
    public static AdapterQuery Parse(AdapterRule rule)
    {
        var query = QueryShape().Match(rule.MetricsQuery);
        Assert.True(query.Success, $"The adapter rule's query is not sum(rate(<<.Series>>{{…}}[window])) by (…): {rule.MetricsQuery}");
        var series = SeriesName().Match(rule.SeriesQuery);
        Assert.True(series.Success, $"The adapter rule's seriesQuery names no series: {rule.SeriesQuery}");
        return new AdapterQuery(series.Groups["series"].Value);
    }

    /// <summary>The rules of the adapter's <c>config.yaml</c> in a published ConfigMap, read as the adapter reads them.</summary>
    public static AdapterConfig RulesIn(V1ConfigMap configMap) =>
        new DeserializerBuilder()
            .WithNamingConvention(CamelCaseNamingConvention.Instance)
            .Build()
            .Deserialize<AdapterConfig>(configMap.Data[PrometheusAdapterRules.ConfigKey]);

    /// <summary>The pod's value: <c>rate</c> of the series, summed over its label sets (one pod, so the sum by pod).</summary>
    public double PerPod(PrometheusExposition earlier, PrometheusExposition later) => PrometheusExposition.Rate(Series, earlier, later);

    [GeneratedRegex(@"^sum\(rate\(<<\.Series>>\{<<\.LabelMatchers>>\}\[[0-9]+[smh]\]\)\) by \(<<\.GroupBy>>\)$")]
    private static partial Regex QueryShape();

    [GeneratedRegex(@"^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*)\{")]
    private static partial Regex SeriesName();
}
