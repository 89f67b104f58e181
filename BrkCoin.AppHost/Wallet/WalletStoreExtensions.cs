using Aspire.Hosting.ApplicationModel;
using BrkCoin.AppHost.Deployment;
using Microsoft.Extensions.Configuration;
namespace BrkCoin.AppHost.Wallet;

public static class WalletStoreExtensions
{
    private const string Name = "redis";

    /// <summary>
    /// Adds the wallet's Redis as the resource "redis", choosing what backs it:
    /// the user's server when <c>ConnectionStrings:redis</c> is set; in publish mode, always the
    /// Redis container; in run mode, the container when an engine answers and can supply its
    /// image, else an embedded Redis-compatible server, so the miner runs on a machine with only
    /// the .NET SDK.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddWalletStore(
        this IDistributedApplicationBuilder builder, WalletStoreSettings settings, bool throughput)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            var deploy = builder.Configuration.GetValidated<DeploymentSettings>(DeploymentSettings.Section);
            return builder.AddRedisWallet(string.IsNullOrWhiteSpace(deploy.RedisImage) ? settings.Image : deploy.RedisImage);
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(Name)))
        {
            return builder.AddConnectionString(Name);
        }

        switch (settings.Backend)
        {
            case WalletBackend.Container:
                return builder.AddRedisWallet(settings.Image);
            case WalletBackend.Auto when ContainerRuntimeProbe.AnsweringClient() is { } client:
                var redis = builder.AddRedisWallet(settings.Image);
                var image = ImageReference.Of(redis.Resource);
                if (ContainerRuntimeProbe.CanSupply(client, image))
                {
                    return redis;
                }

                // An offline laptop with Docker: Aspire would wait forever for a pull that cannot
                // happen. Take the container back out of the model and mine on the embedded store.
                builder.Resources.Remove(redis.Resource);
                builder.Resources.Remove(redis.Resource.PasswordParameter!);
                Console.WriteLine(
                    $"BrkCoin wallet: the container engine has no {image} and cannot pull it; using the embedded wallet instead.");
                break;
        }

        var dataPath = string.IsNullOrWhiteSpace(settings.DataPath)
            ? Path.Combine(builder.AppHostDirectory, ".garnet")
            : Path.GetFullPath(settings.DataPath, builder.AppHostDirectory);
        return builder.AddEmbeddedRedis(Name, dataPath, settings.Memory, GarnetCommandLine.CommitEveryMs(throughput));
    }

    /// <summary>
    /// The Redis container with its data on a volume and every write in its append-only file.
    /// </summary>
    /// <remarks>
    /// The append-only file is Redis's durability promise, and the only one: no RDB snapshots
    /// beside it (<c>--save ''</c>; Aspire's <c>WithDataVolume</c> would add <c>--save 60 1</c>),
    /// since the append-only file already holds every write, and each snapshot is a fork that
    /// copies the pages written meanwhile, once a minute, inside the wallet's memory limit.
    /// <c>appendfsync always</c> because the wallet's writes are few (a coin is one in sixteen
    /// units, the counter one write a second per worker), so making each reach the disk before
    /// Redis answers costs nothing visible and a coin the worker logged as found survives even the
    /// machine losing power. <c>--dir</c> is explicit: images differ in their working directory.
    /// </remarks>
    private static IResourceBuilder<RedisResource> AddRedisWallet(this IDistributedApplicationBuilder builder, string image)
    {
        var redis = builder.AddRedis(Name);
        redis.WithVolume(VolumeNameGenerator.Generate(redis, "data"), "/data")
            // '' is the empty argument once the shell Aspire runs Redis under has read it.
            .WithArgs("--dir", "/data", "--save", "''", "--appendonly", "yes", "--appendfsync", "always")
            // Aspire runs Redis under /bin/sh -c (to expand the password variable), and a shell
            // as PID 1 ignores SIGTERM: `exec` makes redis-server PID 1, so a stop reaches it and
            // it closes its files cleanly instead of being killed at the end of the grace period.
            .WithArgs(context =>
            {
                // Read when the command line is made, so the memory declared after this (AppHost.cs) counts.
                foreach (var argument in WalletMemory.RedisArguments(context.Resource))
                {
                    context.Args.Add(argument);
                }

                if (context.Args.Count > 0 && Equals(context.Args[0], "redis-server"))
                {
                    context.Args.Insert(0, "exec");
                    PasswordOnStandardInput(context.Args);
                }
            });
        if (!string.IsNullOrWhiteSpace(image))
        {
            ImageReference.Parse(image).ApplyTo(redis);
        }

        return redis;
    }

    /// <summary>
    /// Aspire starts Redis with <c>--requirepass $REDIS_PASSWORD</c>: the shell expands it, and the
    /// password then sits in redis-server's command line, which <c>ps</c> on the host (or on any
    /// Swarm node) prints. Redis reads further configuration from standard input when its first
    /// argument is <c>-</c>, so the password goes there, through a here-document the same shell
    /// expands. The deployed password holds no quote, backslash or space (the publish step refuses
    /// those), so one double-quoted config line carries it whole.
    /// </summary>
    private static void PasswordOnStandardInput(IList<object> args)
    {
        var flag = args.IndexOf("--requirepass");
        if (flag < 0 || flag + 1 >= args.Count || args[flag + 1] is not string password)
        {
            return;
        }

        args.RemoveAt(flag + 1);
        args.RemoveAt(flag);
        args.Insert(args.IndexOf("redis-server") + 1, "-");
        args.Add($"<<EOF\nrequirepass \"{password}\"\nEOF\n");
    }
}
