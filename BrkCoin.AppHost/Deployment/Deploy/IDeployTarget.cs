namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>Where <c>aspire deploy</c> brings the written files up, and <c>aspire destroy</c> takes them down.</summary>
public interface IDeployTarget
{
    /// <summary>Fails the step, with what to do, when the engine cannot take this target.</summary>
    Task CheckEngineAsync();

    /// <summary>Creates or updates the project in place (named volumes, and so the wallet, are kept).</summary>
    Task UpAsync();

    /// <summary>Returns once every service is healthy; fails the step, naming the ones that are not, at the deadline.</summary>
    Task WaitHealthyAsync(TimeSpan deadline);

    /// <summary>
    /// Stops the project's services, callers first and each with its grace, then removes its
    /// containers and networks, and its volumes only when asked; says which, and fails when it
    /// finds nothing of the project.
    /// </summary>
    Task DownAsync(bool removeVolumes);

    /// <summary>The written file this target brings up, in the output folder.</summary>
    string DeploymentFile { get; }

    /// <summary>The label every container of the project carries, for `docker ps --filter`.</summary>
    string ProjectLabel { get; }

    /// <summary>Where the page answers once the project is up, or why it is not published.</summary>
    string PageAddress { get; }
}
