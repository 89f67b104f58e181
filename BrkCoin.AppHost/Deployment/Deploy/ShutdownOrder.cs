namespace BrkCoin.AppHost.Deployment.Deploy;

/// <summary>
/// The order destroy stops a deployment's services in: callers before what they call, so the
/// workers stop (and make their last flush) while Redis still answers. Who calls whom is read
/// from what is deployed, by the plan's rule that a called service has a network of its own,
/// named after it, which its callers join (<see cref="DeploymentPlanner.Connect"/>).
/// </summary>
public static class ShutdownOrder
{
    /// <summary>
    /// Rounds of services, first to stop first. <paramref name="networksByService"/> gives each
    /// service's networks, both by their names in the plan (without the project's prefix).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> CallersFirst(IReadOnlyDictionary<string, IReadOnlyCollection<string>> networksByService)
    {
        var remaining = networksByService.Keys.Order(StringComparer.Ordinal).ToList();
        var rounds = new List<IReadOnlyList<string>>();
        while (remaining.Count > 0)
        {
            bool Called(string service) => remaining.Any(caller => caller != service && networksByService[caller].Contains(service));
            var round = remaining.Where(service => !Called(service)).ToList();
            // Services that call each other in a ring have no first: they stop together.
            rounds.Add(round.Count > 0 ? round : [.. remaining]);
            remaining = round.Count > 0 ? [.. remaining.Except(round)] : [];
        }

        return rounds;
    }

    /// <summary>"brkcoin_redis" → "redis": a name the engine reports, without the project's prefix.</summary>
    public static string InPlan(string engineName, string project) =>
        engineName.StartsWith(project + "_", StringComparison.Ordinal) ? engineName[(project.Length + 1)..] : engineName;
}
