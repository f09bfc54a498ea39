using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Training;

namespace StudyRecs.Cli.Training;

/// <summary><c>studyrecs models list|activate</c>: the model registry for operators.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var taskFilter = new Option<string?>("--task") { Description = "regression, classification or recommendation" };
        var list = new Command("list", "List model versions, newest first") { taskFilter };
        list.SetAction(async (pr, ct) =>
        {
            ModelTask? task = null;
            if (pr.GetValue(taskFilter) is { } t)
            {
                if (!Enum.TryParse<ModelTask>(t, ignoreCase: true, out var parsed))
                {
                    await Console.Error.WriteLineAsync($"Unknown task '{t}'; use regression, classification or recommendation.");
                    return ExitCodes.Failed;
                }

                task = parsed;
            }

            await using var sp = CliServices.Build(TrainCommand.ConfigureServices);
            await using var scope = sp.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Core.Data.DatabaseMigrator>().MigrateAsync(ct);
            var models = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ListAsync(task, ct);
            if (models.Count == 0)
            {
                Console.WriteLine("No model versions yet. Upload labelled data, then run `studyrecs train`.");
                return ExitCodes.Ok;
            }

            Console.WriteLine($"{"task",-15} {"version",-15} {"active",-7} {"algorithm",-28} {"library",-10} {"rows",7}  created by");
            foreach (var m in models)
            {
                Console.WriteLine($"{m.Task.ToString().ToLowerInvariant(),-15} {m.Version,-15} {(m.IsActive ? "yes" : ""),-7} {m.Algorithm,-28} {ModelLibrary.Of(m),-10} {m.RowsUsed,7}  {m.CreatedBy}");
            }

            return ExitCodes.Ok;
        });

        var version = new Option<string>("--version") { Description = "Version to activate (yyyyMMddHHmmss)", Required = true };
        var taskOption = new Option<string>("--task") { Description = "regression, classification, both or recommendation", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit log)", DefaultValueFactory = _ => "activated with studyrecs models activate" };
        var activate = new Command("activate", "Make a version the active one (roll back or forward)") { version, taskOption, reason };
        activate.SetAction(async (pr, ct) =>
        {
            var taskText = pr.GetValue(taskOption)!.Trim().ToLowerInvariant();
            ModelTask[] tasks = taskText switch
            {
                "both" => [ModelTask.Regression, ModelTask.Classification],
                "regression" => [ModelTask.Regression],
                "classification" => [ModelTask.Classification],
                "recommendation" => [ModelTask.Recommendation],
                _ => [],
            };
            if (tasks.Length == 0)
            {
                await Console.Error.WriteLineAsync($"Unknown task '{taskText}'; use regression, classification, both or recommendation.");
                return ExitCodes.Failed;
            }

            await using var sp = CliServices.Build(TrainCommand.ConfigureServices);
            await using var scope = sp.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Core.Data.DatabaseMigrator>().MigrateAsync(ct);
            var activations = scope.ServiceProvider.GetRequiredService<ModelActivations>();
            var status = ExitCodes.Ok;
            foreach (var task in tasks)
            {
                var result = await activations.ActivateAsync(task, pr.GetValue(version)!, Environment.UserName + " (cli)", pr.GetValue(reason)!, ct);
                (result.Succeeded ? Console.Out : Console.Error).WriteLine($"{task}: {result.Message}");
                status = result.Succeeded ? status : ExitCodes.Failed;
            }

            return status;
        });

        return new Command("models", "The model registry") { list, activate };
    }
}
