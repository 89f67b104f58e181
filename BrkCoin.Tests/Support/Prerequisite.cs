namespace BrkCoin.Tests.Support;

/// <summary>
/// A test that needs something the machine may lack (redis-server) skips without it on a
/// developer's machine, and fails in CI, whose job is to install it.
/// </summary>
public static class Prerequisite
{
    public static void Require(string? missing)
    {
        if (missing is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(missing);
        }

        Assert.Skip(missing);
    }
}
