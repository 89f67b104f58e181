using Microsoft.Extensions.Configuration;
namespace BrkCoin.AppHost.Wallet;

public static class WalletStoreExtensions
{
    /// <summary>
    /// Adds the wallet's Redis as the resource "redis", choosing what backs it:
    /// the user's server when <c>ConnectionStrings:redis</c> is set; in publish mode, always the
    /// Redis container; in run mode, the container when an engine answers, else an embedded
    /// Redis-compatible server, so the miner runs on a machine with only the .NET SDK.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddWalletStore(
        this IDistributedApplicationBuilder builder, WalletStoreSettings settings)
    {
        const string name = "redis";

        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddRedis(name).WithDataVolume().WithPersistence();
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)))
        {
            return builder.AddConnectionString(name);
        }

        var useContainer = settings.Backend switch
        {
            WalletBackend.Container => true,
            WalletBackend.Embedded => false,
            _ => ContainerRuntimeProbe.EngineAnswers(),
        };

        if (useContainer)
        {
            return builder.AddRedis(name).WithDataVolume().WithPersistence();
        }

        var dataPath = string.IsNullOrWhiteSpace(settings.DataPath)
            ? Path.Combine(builder.AppHostDirectory, ".garnet")
            : Path.GetFullPath(settings.DataPath, builder.AppHostDirectory);
        return builder.AddEmbeddedRedis(name, dataPath, settings.Memory);
    }
}
