using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;

namespace StudyRecs.Cli.Recommend;

/// <summary>
/// <c>studyrecs recommend</c>: the logged interactions for a model trained outside StudyRecs
/// (<c>export-interactions</c>), and that model's scores back in as a strategy (<c>import-scores</c>, <c>delete-scores</c>).
/// </summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var command = new Command("recommend", "The recommender's data for work outside the portal, A/B tests and the precomputed lists");
        command.Subcommands.Add(ExportInteractions());
        command.Subcommands.Add(ImportScores());
        command.Subcommands.Add(DeleteScores());
        command.Subcommands.Add(ExperimentCommands.AbTest());
        command.Subcommands.Add(ExperimentCommands.Precompute());
        return command;
    }

    private static void AddScoreServices(IServiceCollection services)
    {
        services.AddOptions<RecommendationOptions>().BindConfiguration(RecommendationOptions.SectionName).ValidateDataAnnotations();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<ImportedScoreImport>();
    }

    private static Command ImportScores()
    {
        var file = new Option<FileInfo>("--file") { Description = "The scores: a UTF-8 CSV with the header user_id,resource_id,score", HelpName = "FILE.csv", Required = true };
        var label = new Option<string>("--label")
        {
            Description = $"Name of the set; it is served as the strategy imported:LABEL ({ImportedScoreSet.LabelRule}). Importing a label again replaces its set",
            HelpName = "NAME",
            Required = true,
        };
        var command = new Command("import-scores",
            "Serve the scores of a model trained elsewhere as the strategy imported:LABEL; the whole file is checked first and a rejected file changes nothing (exit code 0 imported, 2 rejected)")
        {
            file, label,
        };
        command.SetAction((pr, ct) => CliDatabase.GuardAsync(async () =>
        {
            await using var services = CliServices.Build(AddScoreServices);
            await CliDatabase.MigrateAsync(services, ct);
            return await ImportScoresAsync(services, pr.GetValue(file)!, pr.GetValue(label)!, Console.Out, Console.Error, ct);
        }));
        return command;
    }

    private static Command DeleteScores()
    {
        var label = new Option<string>("--label") { Description = "The imported set to delete (its strategy is imported:LABEL)", HelpName = "NAME", Required = true };
        var command = new Command("delete-scores", "Stop serving an imported score set and delete its scores (its events stay in the analytics)") { label };
        command.SetAction((pr, ct) => CliDatabase.GuardAsync(async () =>
        {
            await using var services = CliServices.Build(AddScoreServices);
            await CliDatabase.MigrateAsync(services, ct);
            return await DeleteScoresAsync(services, pr.GetValue(label)!, Console.Out, Console.Error, ct);
        }));
        return command;
    }

    internal static async Task<int> ImportScoresAsync(IServiceProvider services, FileInfo file, string label, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!ImportedScoreSet.IsLabel(label))
        {
            await error.WriteLineAsync($"--label '{label}' is not allowed: use {ImportedScoreSet.LabelRule}.");
            return ExitCodes.Failed;
        }

        if (!file.Exists)
        {
            await error.WriteLineAsync($"File not found: {file.FullName}");
            return ExitCodes.Failed;
        }

        await using var scope = services.CreateAsyncScope();
        ImportedScoreResult result;
        await using (var content = file.OpenRead())
        {
            result = await scope.ServiceProvider.GetRequiredService<ImportedScoreImport>()
                .ImportAsync(content, file.Name, label, $"studyrecs recommend import-scores ({Environment.UserName})", cancellationToken);
        }

        var inv = CultureInfo.InvariantCulture;
        if (result.Set is { } set)
        {
            await output.WriteLineAsync(string.Create(inv,
                $"Imported {set.Rows:N0} scores of {set.Students:N0} students over {set.Resources:N0} resources from {set.FileName} as {ImportedScoreSet.StrategyName(set.Label)}{(result.Replaced ? ", replacing the previous set" : "")}."));
            await output.WriteLineAsync("A running portal serves it within a few seconds: the online choice tries it like the other strategies, and an admin can pin it on the Recommendations page.");
            return ExitCodes.Ok;
        }

        await error.WriteLineAsync(string.Create(inv,
            $"{file.Name} rejected ({result.ProblemCount:N0} problem{(result.ProblemCount == 1 ? "" : "s")}); nothing was imported and the set '{label}', if there is one, still serves."));
        if (result.ProblemCounts.Count > 1 || result.ProblemCount > result.Problems.Count)
        {
            await error.WriteLineAsync("Problems by rule:");
            foreach (var (rule, count) in result.ProblemCounts.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                await error.WriteLineAsync(string.Create(inv, $"  {rule}: {count:N0}"));
            }
        }

        await error.WriteLineAsync(result.Problems.Count < result.ProblemCount ? $"First {result.Problems.Count} problems:" : "Problems:");
        foreach (var p in result.Problems)
        {
            await error.WriteLineAsync(string.Create(inv, $"  {(p.Line == 0 ? "file" : $"line {p.Line}")}: {p.Rule}: {p.Message}"));
        }

        await error.WriteLineAsync("Correct the file and run the command again.");
        return ExitCodes.Failed;
    }

    internal static async Task<int> DeleteScoresAsync(IServiceProvider services, string label, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var import = scope.ServiceProvider.GetRequiredService<ImportedScoreImport>();
        var deletion = await import.DeleteAsync(label, cancellationToken);
        if (deletion.Deleted)
        {
            await output.WriteLineAsync($"Deleted the imported set '{label}': {ImportedScoreSet.StrategyName(label)} is no longer served (a pin on it is cleared; its events stay in the analytics).");
            return ExitCodes.Ok;
        }

        if (deletion.PlayedBy is { } test)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{ImportedScoreSet.StrategyName(label)} is a group of the A/B test {test.Id} “{test.Name}” (until {test.EndUtc:yyyy-MM-dd HH:mm} UTC); stop it first (studyrecs recommend ab-test stop {test.Id}), then delete the set."));
            return ExitCodes.Failed;
        }

        var sets = await import.ListAsync(cancellationToken);
        await error.WriteLineAsync(sets.Count == 0
            ? $"There is no imported set '{label}'; none is imported."
            : $"There is no imported set '{label}'; the imported sets are: {string.Join(", ", sets.Select(s => s.Label))}.");
        return ExitCodes.Failed;
    }

    private static Command ExportInteractions()
    {
        var output = new Option<string>("--out") { Description = "The CSV file to write (replaced when it exists)", HelpName = "FILE.csv", Required = true };
        var since = new Option<string?>("--since") { Description = "Only interactions logged at or after this date (ISO 8601, UTC unless an offset is given)", HelpName = "DATE" };
        var command = new Command("export-interactions",
            "Write every logged interaction (clicks, views, completions, likes, dismissals; not impressions) as CSV: user_id,item_id,timestamp,event,strategy,position,request_id")
        {
            output, since,
        };
        command.SetAction((pr, ct) => CliDatabase.GuardAsync(async () =>
        {
            await using var services = CliServices.Build();
            await CliDatabase.MigrateAsync(services, ct);
            return await ExportAsync(services.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>(), pr.GetValue(output)!, pr.GetValue(since), Console.Out, Console.Error, ct);
        }));
        return command;
    }

    /// <summary>
    /// Writes the export to a file beside <paramref name="path"/> and moves it into place once complete, so a failure
    /// never leaves a half-written file under the name asked for.
    /// </summary>
    internal static async Task<int> ExportAsync(IDbContextFactory<StudyRecsDbContext> dbs, string path, string? sinceText, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        DateTimeOffset? since = null;
        if (sinceText is not null)
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
            {
                await error.WriteLineAsync($"--since '{sinceText}' is not a date; give one such as 2026-09-01 or 2026-09-01T08:00:00Z.");
                return ExitCodes.Failed;
            }

            since = parsed;
        }

        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            await error.WriteLineAsync($"The folder {directory} does not exist; create it or choose another --out.");
            return ExitCodes.Failed;
        }

        var partial = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            InteractionExportSummary summary;
            await using (var writer = new StreamWriter(partial, append: false, new System.Text.UTF8Encoding(false)))
            {
                summary = await new InteractionExport(dbs).WriteCsvAsync(writer, since, cancellationToken);
            }

            File.Move(partial, full, overwrite: true);
            var window = since is { } from ? $" logged since {from.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {summary.Interactions:N0} interactions{window} of {summary.Students:N0} students over {summary.Resources:N0} resources to {full}."));
            if (summary.Interactions == 0)
            {
                await output.WriteLineAsync("The file has the header only: no interaction was logged in that window.");
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Could not write {full}: {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
