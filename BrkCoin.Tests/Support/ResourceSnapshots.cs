using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace BrkCoin.Tests.Support;

public static class ResourceSnapshots
{
    /// <summary>The latest snapshot of each replica of <paramref name="resource"/>.</summary>
    public static async Task<List<CustomResourceSnapshot>> LatestAsync(DistributedApplication app, string resource, CancellationToken cancel)
    {
        // WatchAsync replays the current state of every resource first; a second is plenty for that.
        using var replay = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        replay.CancelAfter(TimeSpan.FromSeconds(1));
        var latest = new Dictionary<string, CustomResourceSnapshot>();
        try
        {
            await foreach (var change in app.ResourceNotifications.WatchAsync(replay.Token))
            {
                if (change.Resource.Name == resource)
                {
                    latest[change.ResourceId] = change.Snapshot;
                }
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
        }

        return [.. latest.Values];
    }
}
