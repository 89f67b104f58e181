namespace BrkCoin.AppHost.Wallet;

/// <summary>
/// A Redis-compatible server (Microsoft Garnet) run inside the AppHost process, for machines
/// with no container runtime. It speaks RESP, so the services use it exactly as they use Redis.
/// </summary>
public sealed class EmbeddedRedisResource(string name, int port, string dataPath, string memory, ParameterResource password)
    : Resource(name), IResourceWithConnectionString
{
    /// <summary>
    /// The password clients must give (AUTH), a secret parameter: generated unless the user sets
    /// <c>Parameters:redis-password</c>, as Aspire's own Redis resource does.
    /// </summary>
    public ParameterResource Password { get; } = password;

    /// <summary>Loopback port it listens on.</summary>
    public int Port { get; } = port;

    /// <summary>Folder its append-only file lives in, so the wallet survives a restart.</summary>
    public string DataPath { get; } = dataPath;

    /// <summary>Log memory it may use (Garnet's <c>--memory</c>).</summary>
    public string Memory { get; } = memory;

    /// <summary>
    /// How often the append-only file is committed, in milliseconds; 0, the workshop's pace and the
    /// default, commits after every write (see <see cref="GarnetCommandLine.CommitEveryMs"/>).
    /// </summary>
    public int CommitEveryMs { get; init; }

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)},password={Password}");
}
