namespace BrkCoin.AppHost.Workshop;

/// <summary>
/// The replica count a scale command asks for: a number ("scale-worker 5"), or a step from the
/// count running when the command's turn comes ("Add a replica"). A step is resolved under the
/// pool's lock: read before it, two quick clicks from one replica both asked for two.
/// </summary>
public readonly record struct ReplicaTarget(int Count, bool FromActive)
{
    public static ReplicaTarget To(int replicas) => new(replicas, FromActive: false);

    public static ReplicaTarget By(int step) => new(step, FromActive: true);

    /// <summary>The replicas to run when <paramref name="active"/> run now.</summary>
    public int From(int active) => FromActive ? active + Count : Count;
}
