using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;

namespace StudyRecs.Cli.Recommend;

/// <summary><c>studyrecs recommend export-interactions</c>: the logged interactions for a model trained outside StudyRecs.</summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var command = new Command("recommend", "The recommender's data for work outside the portal, A/B tests and the precomputed lists");
        command.Subcommands.Add(ExportInteractions());
        command.Subcommands.Add(ExperimentCommands.AbTest());
        command.Subcommands.Add(ExperimentCommands.Precompute());
        return command;
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
