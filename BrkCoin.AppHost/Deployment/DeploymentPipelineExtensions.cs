// The pipeline API is marked experimental in Aspire 13.6; it is the documented way to add a
// publish step, and the one the issue asks for.
#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment;

public static class DeploymentPipelineExtensions
{
    public const string StepName = "brkcoin-deployment-files";

    /// <summary>
    /// Adds a publish step that writes docker-compose.yaml, .env and a kustomize base in
    /// kubernetes/ from the model. Our package feed has neither Aspire.Hosting.Docker nor
    /// Aspire.Hosting.Kubernetes, so this step does their job for BrkCoin:
    /// <c>dotnet run --project BrkCoin.AppHost -- --operation publish --step publish --output-path deploy</c>.
    /// </summary>
    public static IDistributedApplicationBuilder AddDeploymentFiles(this IDistributedApplicationBuilder builder)
    {
        var settings = builder.GetDeploymentSettings();

        builder.Pipeline.AddStep(StepName, async context =>
        {
            try
            {
                var output = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
                var planner = new DeploymentPlanner(context.ExecutionContext, settings, context.Services.GetRequiredService<IConfiguration>());
                var plan = await planner.PlanAsync(context.Model, context.CancellationToken);

                await ComposeWriter.WriteAsync(plan, settings, output, context.CancellationToken);
                await KubernetesWriter.WriteAsync(plan, settings, Path.Combine(output, KubernetesWriter.FolderName), context.CancellationToken);

                context.Logger.LogInformation(
                    "Wrote {Compose}, {Stack}, {Env} and {Kubernetes}/ for {Services} to {Output}",
                    ComposeWriter.FileName, ComposeWriter.StackFileName, ComposeWriter.EnvFileName, KubernetesWriter.FolderName,
                    string.Join(", ", plan.Services.Select(s => s.Name)), output);
            }
            catch
            {
                // Run by `dotnet run`, Aspire logs a failed step but still exits 0; a script or CI
                // job running the publish command must see the failure.
                Environment.ExitCode = 1;
                throw;
            }
        }, requiredBy: WellKnownPipelineSteps.Publish);

        return builder;
    }
}
