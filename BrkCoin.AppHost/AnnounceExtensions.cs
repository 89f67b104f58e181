using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost;

public static class AnnounceExtensions
{
    /// <summary>
    /// Prints the resource's URL on the AppHost console once it is healthy, beside the dashboard
    /// login link, so a newcomer can open the page without hunting for its port.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AnnounceUrlWhenReady(this IResourceBuilder<ProjectResource> project, string title)
    {
        project.OnResourceReady((resource, evt, _) =>
        {
            var logger = evt.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BrkCoin");
            logger.LogInformation("{Title}: {Url}", title, project.GetEndpoint("http").Url);
            return Task.CompletedTask;
        });
        return project;
    }
}
