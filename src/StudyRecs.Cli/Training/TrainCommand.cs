using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;

namespace StudyRecs.Cli.Training;

/// <summary><c>studyrecs train</c>: queues a training for the portal's scheduler and optionally waits for it.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Option<long[]>("--dataset") { Description = "Train on these dataset ids only (repeatable)", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Train on all labelled rows of accepted datasets (the default)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the run finishes and print its result (the portal must be running to execute it)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait with --wait", DefaultValueFactory = _ => 1800 };
        var command = new Command("train", "Queue a training of the grade-forecast models") { dataset, all, wait, timeout };
        command.SetAction(async (pr, ct) =>
        {
            var ids = pr.GetValue(dataset) ?? [];
            if (ids.Length > 0 && pr.GetValue(all))
            {
                await Console.Error.WriteLineAsync("Use either --dataset or --all, not both.");
                return ExitCodes.Failed;
            }

            await using var sp = CliServices.Build(ConfigureServices);
            await using var scope = sp.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Core.Data.DatabaseMigrator>().MigrateAsync(ct);
            var dispatcher = scope.ServiceProvider.GetRequiredService<TrainingDispatcher>();
            var run = await dispatcher.EnqueueAsync(new TrainingRequest(ids.Length > 0 ? ids : null, "studyrecs train"), ct);
            Console.WriteLine($"Queued training run {run.Id}.");
            if (!pr.GetValue(wait))
            {
                return ExitCodes.Ok;
            }

            var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
            var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
            var deadline = time.GetUtcNow().AddSeconds(pr.GetValue(timeout));
            var lastStep = "";
            while (time.GetUtcNow() < deadline)
            {
                var current = await registry.GetRunAsync(run.Id, ct);
                if (current is null)
                {
                    break;
                }

                if (current.Step != lastStep)
                {
                    lastStep = current.Step;
                    Console.WriteLine($"  {current.Status}: {current.Step}");
                }

                if (current.Status is TrainingRunStatus.Succeeded or TrainingRunStatus.Failed or TrainingRunStatus.Interrupted)
                {
                    Console.WriteLine(current.Status == TrainingRunStatus.Succeeded ? current.ResultSummary : $"Training {current.Status}: {current.Error}");
                    return current.Status == TrainingRunStatus.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }

            await Console.Error.WriteLineAsync("Gave up waiting; is the portal (which runs the scheduler) running? The run stays queued.");
            return ExitCodes.Failed;
        });
        return command;
    }

    internal static void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddStudyRecsDatasets();
        services.AddStudyRecsTraining();
        services.AddStudyRecsScheduling(configuration, runScheduler: false);
    }
}
