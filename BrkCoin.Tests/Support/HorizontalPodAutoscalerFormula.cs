namespace BrkCoin.Tests.Support;

/// <summary>
/// What a Kubernetes HorizontalPodAutoscaler decides for a Pods metric with an AverageValue target
/// (kube-controller-manager's replica calculator): desired = ceil(current × value / target), no
/// change while value / target is within the 10 % tolerance, kept between min and max.
/// </summary>
public static class HorizontalPodAutoscalerFormula
{
    public const double Tolerance = 0.1;

    public static int Desired(int current, double averageValue, double target, int min, int max)
    {
        var ratio = averageValue / target;
        var desired = Math.Abs(ratio - 1) <= Tolerance ? current : (int)Math.Ceiling(current * ratio);
        return Math.Clamp(desired, min, max);
    }
}
