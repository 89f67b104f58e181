namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>A deploy or destroy step that cannot go on, with what a user can act on.</summary>
public sealed class DeployFailedException(string message) : Exception(message);
