// The pipeline API is marked experimental in Aspire 13.6; it is the documented way to add
// publish, deploy and destroy steps.
#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004
using Aspire.Hosting.Pipelines;
using BrkCoin.AppHost.Deployment.Deploy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BrkCoin.AppHost.Deployment;

public static class DeploymentPipelineExtensions
{
    public const string StepName = "brkcoin-deployment-files";
    public const string ImagesStepName = "brkcoin-images";
    public const string DeployStepName = "brkcoin-deploy";
    public const string DestroyStepName = "brkcoin-destroy";

    /// <summary>
    /// Adds the steps that deploy BrkCoin without Aspire.Hosting.Docker or Aspire.Hosting.Kubernetes
    /// (our package feed has neither):
    /// <list type="bullet">
    /// <item>publish: docker-compose.yaml, docker-stack.yaml, .env and a kustomize base in kubernetes/
    /// (<c>--operation publish --step publish --output-path deploy</c>);</item>
    /// <item>deploy (<c>aspire deploy</c>, or <c>--operation publish --step deploy</c>): the images built
    /// with the SDK, the files written, the Compose project or Swarm stack brought up, every service
    /// waited for until healthy, and the page's address;</item>
    /// <item>destroy (<c>aspire destroy</c>, or <c>--step destroy</c>): the project taken down, its
    /// volumes kept unless <c>Deploy:RemoveVolumes</c>.</item>
    /// </list>
    /// </summary>
    public static IDistributedApplicationBuilder AddDeploymentFiles(this IDistributedApplicationBuilder builder)
    {
        var settings = builder.GetDeploymentSettings();
        // Filled by the images step, read by the deploy step that depends on it (one process).
        var pushed = new PushedImages();

        builder.Pipeline.AddStep(StepName, context => FailingTheProcessAsync(async () =>
        {
            var output = OutputOf(context);
            var planner = new DeploymentPlanner(context.ExecutionContext, settings, context.Services.GetRequiredService<IConfiguration>(),
                EnvFile.Read(Path.Combine(output, ComposeWriter.EnvFileName)));
            var plan = await planner.PlanAsync(context.Model, context.CancellationToken);

            await ComposeWriter.WriteAsync(plan, settings, output, context.CancellationToken);
            await KubernetesWriter.WriteAsync(plan, settings, Path.Combine(output, KubernetesWriter.FolderName), context.CancellationToken);

            context.Logger.LogInformation(
                "Wrote {Compose}, {Stack}, {Env} and {Kubernetes}/ for {Services} to {Output}",
                ComposeWriter.FileName, ComposeWriter.StackFileName, ComposeWriter.EnvFileName, KubernetesWriter.FolderName,
                string.Join(", ", plan.Services.Select(s => s.Name)), output);
        }, context.Logger), requiredBy: WellKnownPipelineSteps.Publish);

        builder.Pipeline.AddStep(ImagesStepName, context => FailingTheProcessAsync(async () =>
        {
            var engine = DockerEngine.OfEnvironment(context.Logger, context.CancellationToken);
            // Before the first build: a missing engine is said in one line, not after a minute of compiling.
            await TargetOf(DeploymentRecord.Of(settings, engine.Host), settings, engine, OutputOf(context), context).CheckEngineAsync();
            await new ProjectImages(settings, engine.Runner, context.Logger).BuildAsync(context.Model, pushed);
        }, context.Logger));

        builder.Pipeline.AddStep(DeployStepName, context => FailingTheProcessAsync(async () =>
        {
            var engine = DockerEngine.OfEnvironment(context.Logger, context.CancellationToken);
            var deployed = DeploymentRecord.Of(settings, engine.Host);
            var target = TargetOf(deployed, settings, engine, OutputOf(context), context);
            context.Logger.LogInformation("Deploying {Project} to {Target} at {Engine}", settings.Project, settings.Target, engine.Where);
            // Before `up`: a deployment that fails half-way is still one destroy must find.
            await deployed.WriteAsync(OutputOf(context), context.CancellationToken);
            await pushed.PinAsync(Path.Combine(OutputOf(context), target.DeploymentFile), context.CancellationToken);
            try
            {
                await target.UpAsync();
            }
            catch (DeployFailedException ex)
            {
                throw new DeployFailedException(
                    $"{ex.Message}\nWhatever it started is left as it is: docker ps --filter label={target.ProjectLabel}; take it down with destroy.");
            }

            await target.WaitHealthyAsync(settings.HealthTimeout);
            context.Logger.LogInformation("BrkCoin is up and every service is healthy. The page: {Address}", target.PageAddress);
        }, context.Logger), dependsOn: new[] { ImagesStepName, StepName }, requiredBy: WellKnownPipelineSteps.Deploy);

        builder.Pipeline.AddStep(DestroyStepName, context => FailingTheProcessAsync(async () =>
        {
            // The files step before this one rewrites the deployment files, never the record.
            var output = OutputOf(context);
            var recorded = DeploymentRecord.Read(output);
            var deployed = DeploymentRecord.ForDestroy(recorded, settings, context.Services.GetRequiredService<IConfiguration>(),
                Environment.GetEnvironmentVariable("DOCKER_HOST"));
            var engine = DockerEngine.At(deployed.Engine, context.Logger, context.CancellationToken);
            context.Logger.LogInformation("Destroying the {Target} project {Project} at {Engine}, {Source}", deployed.Target, deployed.Project, engine.Where,
                recorded is null
                    ? $"from the settings ({DeploymentRecord.FileName} is not in {output}: nothing was deployed from there)"
                    : recorded == deployed ? $"as {DeploymentRecord.FileName} records" : $"as {DeploymentRecord.FileName} records, with what was given explicitly instead");
            var target = TargetOf(deployed, settings, engine, output, context);
            await target.CheckEngineAsync();
            await target.DownAsync(settings.RemoveVolumes);
        }, context.Logger), dependsOn: StepName, requiredBy: WellKnownPipelineSteps.Destroy);

        return builder;
    }

    private static string OutputOf(PipelineStepContext context) =>
        context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();

    private static IDeployTarget TargetOf(DeploymentRecord deployed, DeploymentSettings settings, DockerEngine engine, string folder, PipelineStepContext context) =>
        deployed.Target == "swarm"
            ? new SwarmTarget(settings, deployed.Project, engine, folder, context.Logger, context.CancellationToken)
            : new ComposeTarget(settings, deployed.Project, engine, folder, context.Logger, context.CancellationToken);

    /// <summary>
    /// Run by `dotnet run`, Aspire logs a failed step but still exits 0; a script or CI job running
    /// the command must see the failure. A step's own failure is said in one line, without a stack.
    /// </summary>
    private static async Task FailingTheProcessAsync(Func<Task> step, ILogger logger)
    {
        try
        {
            await step();
        }
        catch (DeployFailedException ex)
        {
            Environment.ExitCode = 1;
            logger.LogError("{Reason}", ex.Message);
            throw;
        }
        catch
        {
            Environment.ExitCode = 1;
            throw;
        }
    }
}
