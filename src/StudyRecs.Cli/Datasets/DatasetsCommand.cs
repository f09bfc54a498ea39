using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Cli.Datasets;

/// <summary><c>studyrecs datasets archive|restore|delete --id N</c>: the portal's dataset lifecycle for operators.</summary>
internal static class DatasetsCommand
{
    public static Command Create()
    {
        var command = new Command("datasets", "Archive (leave out of training, keep), restore or delete uploaded datasets; each change is audited and queues a retraining");
        command.Subcommands.Add(Change("archive", "Leave a dataset out of training and keep it for history", confirm: false));
        command.Subcommands.Add(Change("restore", "Let training use an archived dataset again", confirm: false));
        command.Subcommands.Add(Change("delete", "Delete a dataset with its rows and its kept file (asks for --yes)", confirm: true));
        return command;
    }

    private static Command Change(string name, string description, bool confirm)
    {
        var id = new Option<long>("--id") { Description = "The dataset's number (see the portal's Datasets page)", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit log)" };
        var yes = new Option<bool>("--yes") { Description = "Confirm the deletion; it cannot be undone" };
        var command = new Command(name, description) { id, reason };
        if (confirm)
        {
            command.Options.Add(yes);
        }

        command.SetAction((pr, ct) => CliDatabase.GuardAsync(async () =>
        {
            await using var services = CliServices.Build(Training.TrainCommand.ConfigureServices);
            await CliDatabase.MigrateAsync(services, ct);
            return await RunAsync(services, name, pr.GetValue(id), pr.GetValue(reason), !confirm || pr.GetValue(yes), Console.Out, ct);
        }));
        return command;
    }

    /// <param name="action">archive, restore or delete.</param>
    /// <param name="confirmed">False for a delete without <c>--yes</c>: nothing changes.</param>
    internal static async Task<int> RunAsync(IServiceProvider services, string action, long datasetId, string? reason, bool confirmed, TextWriter output, CancellationToken cancellationToken)
    {
        if (datasetId <= 0)
        {
            await output.WriteLineAsync("Give the dataset's number with --id (a positive whole number).");
            return ExitCodes.Failed;
        }

        if (!confirmed)
        {
            await output.WriteLineAsync($"Deleting dataset #{datasetId} removes its rows and its kept file for good; run again with --yes to confirm (or archive it to keep it).");
            return ExitCodes.Failed;
        }

        await using var scope = services.CreateAsyncScope();
        var lifecycle = scope.ServiceProvider.GetRequiredService<DatasetLifecycle>();
        var actor = DatasetActor.Operator(Environment.UserName + " (cli)");
        var result = action switch
        {
            "archive" => await lifecycle.ArchiveAsync(datasetId, actor, reason, cancellationToken),
            "restore" => await lifecycle.RestoreAsync(datasetId, actor, reason, cancellationToken),
            "delete" => await lifecycle.DeleteAsync(datasetId, actor, reason, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Use archive, restore or delete."),
        };
        await output.WriteLineAsync(result.Message);
        return result.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
