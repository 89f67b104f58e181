namespace BrkCoin.AppHost.Deployment;

public static class KubernetesWriter
{
    public const string FolderName = "kubernetes";

    public static Task WriteAsync(DeploymentPlan plan, DeploymentSettings settings, string folder, CancellationToken cancellationToken) => Task.CompletedTask;
}
