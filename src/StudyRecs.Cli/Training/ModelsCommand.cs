using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Training;

namespace StudyRecs.Cli.Training;

/// <summary><c>studyrecs models list|activate|unpin</c>: the model registry for operators.</summary>
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

            var pins = (await scope.ServiceProvider.GetRequiredService<ModelPins>().ListAsync(ct)).ToDictionary(p => (p.Task, p.Version));
            Console.WriteLine($"{"task",-15} {"version",-15} {"active",-7} {"algorithm",-28} {"library",-10} {"rows",7}  created by");
            foreach (var m in models)
            {
                var active = m.IsActive ? pins.ContainsKey((m.Task, m.Version)) ? "pinned" : "yes" : "";
                Console.WriteLine($"{m.Task.ToString().ToLowerInvariant(),-15} {m.Version,-15} {active,-7} {m.Algorithm,-28} {ModelLibrary.Of(m),-10} {m.RowsUsed,7}  {m.CreatedBy}");
            }

            foreach (var pin in pins.Values)
            {
                Console.WriteLine($"{pin.Task.ToString().ToLowerInvariant()} is pinned to {pin.Version} by {pin.PinnedBy} since {pin.PinnedAt:yyyy-MM-dd HH:mm} UTC: {pin.Reason}");
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
            var tasks = ParseTasks(taskText);
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

        var unpinTask = new Option<string>("--task") { Description = "regression, classification, both or recommendation", Required = true };
        var unpinReason = new Option<string>("--reason") { Description = "Why (recorded in the audit log)", DefaultValueFactory = _ => "unpinned with studyrecs models unpin" };
        var unpin = new Command("unpin", "Let trainings activate a task's versions again after a hand activation pinned it") { unpinTask, unpinReason };
        unpin.SetAction((pr, ct) => CliDatabase.GuardAsync(async () =>
        {
            var tasks = ParseTasks(pr.GetValue(unpinTask)!);
            if (tasks.Length == 0)
            {
                await Console.Error.WriteLineAsync($"Unknown task '{pr.GetValue(unpinTask)}'; use regression, classification, both or recommendation.");
                return ExitCodes.Failed;
            }

            await using var sp = CliServices.Build(TrainCommand.ConfigureServices);
            await CliDatabase.MigrateAsync(sp, ct);
            return await UnpinAsync(sp, tasks, pr.GetValue(unpinReason)!, Console.Out, Console.Error, ct);
        }));

        return new Command("models", "The model registry") { list, activate, unpin };
    }

    /// <summary>Unpins each task; exit code 2 when any was not pinned or the reason is empty.</summary>
    internal static async Task<int> UnpinAsync(IServiceProvider services, IReadOnlyList<ModelTask> tasks, string reason, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var pins = scope.ServiceProvider.GetRequiredService<ModelPins>();
        var status = ExitCodes.Ok;
        foreach (var task in tasks)
        {
            var result = await pins.UnpinAsync(task, Environment.UserName + " (cli)", reason, cancellationToken);
            await (result.Succeeded ? output : error).WriteLineAsync($"{task}: {result.Message}");
            status = result.Succeeded ? status : ExitCodes.Failed;
        }

        return status;
    }

    /// <summary>regression, classification, recommendation or both (regression and classification); empty when unknown.</summary>
    internal static ModelTask[] ParseTasks(string text) => text.Trim().ToLowerInvariant() switch
    {
        "both" => [ModelTask.Regression, ModelTask.Classification],
        "regression" => [ModelTask.Regression],
        "classification" => [ModelTask.Classification],
        "recommendation" => [ModelTask.Recommendation],
        _ => [],
    };
}
