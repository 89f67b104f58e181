namespace BrkCoin.AppHost.Wallet;

/// <summary>What the Redis image is like, for the wallet's deployment declarations in AppHost.cs.</summary>
public static class RedisImage
{
    /// <summary>The redis image's own non-root user.</summary>
    public const long User = 999;

    /// <summary>Where Aspire's Redis resource puts its password: its start command reads it from there.</summary>
    public const string PasswordVariable = "REDIS_PASSWORD";

    /// <summary>
    /// Asks the server for PONG with redis-cli, which every Redis image carries. The password goes
    /// through REDISCLI_AUTH rather than -a: a password on the command line shows in `ps` on the host.
    /// </summary>
    public static IReadOnlyList<string> Ping(string? passwordVariable) =>
        passwordVariable is null
            ? ["redis-cli", "ping"]
            : ["sh", "-c", $"REDISCLI_AUTH=\"${passwordVariable}\" redis-cli ping | grep -q PONG"];
}
