using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Cli.Datasets;

/// <summary><c>studyrecs import</c>: the portal's dataset import, from the command line.</summary>
internal static class ImportCommand
{
    /// <summary>Exit code of an accepted import.</summary>
    public const int Accepted = ExitCodes.Ok;

    /// <summary>Exit code of a rejected file, a missing file, or an upload cancelled because rows overlap.</summary>
    public const int Rejected = ExitCodes.Failed;

    /// <summary>Exit code of a valid file whose rows overlap accepted datasets under <c>--on-overlap ask</c>: nothing stored, choose replace or cancel.</summary>
    public const int OverlapNeedsChoice = 3;

    public static Command Create()
    {
        var file = new Option<FileInfo>("--file") { Description = "Gradebook to import: .csv, .xlsx or .xls", Required = true };
        var sheet = new Option<string?>("--sheet") { Description = "Worksheet of a workbook (default: the first)" };
        var label = new Option<string?>("--label") { Description = "Course or term label stored with the dataset" };
        var allowDuplicate = new Option<bool>("--allow-duplicate") { Description = "Import even if an identical file was imported before" };
        var onOverlap = new Option<string>("--on-overlap")
        {
            Description = "When rows have the student, semester and subject of accepted rows: ask (store nothing, exit 3), replace (newest rows win in training) or cancel (store nothing, exit 2)",
            DefaultValueFactory = _ => "ask",
        };
        onOverlap.AcceptOnlyFromAmong("ask", "replace", "cancel");
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of text" };
        var command = new Command("import", "Validate a gradebook and store it as a dataset, like an upload in the portal (exit code 0 accepted, 2 rejected or cancelled, 3 overlapping rows need --on-overlap replace or cancel)")
        {
            file, sheet, label, allowDuplicate, onOverlap, json,
        };
        command.SetAction((parseResult, ct) => CliDatabase.GuardAsync(async () =>
        {
            await using var services = CliServices.Build(Training.TrainCommand.ConfigureServices);
            await CliDatabase.MigrateAsync(services, ct);
            return await RunAsync(services, parseResult.GetValue(file)!, parseResult.GetValue(sheet), parseResult.GetValue(label),
                parseResult.GetValue(allowDuplicate), parseResult.GetValue(json), Console.Out, ct,
                DatasetOverlap.ParsePolicy(parseResult.GetValue(onOverlap)) ?? OverlapPolicy.Ask);
        }));
        return command;
    }

    internal static async Task<int> RunAsync(IServiceProvider services, FileInfo file, string? sheet, string? label, bool allowDuplicate, bool json, TextWriter output,
        CancellationToken cancellationToken, OverlapPolicy onOverlap = OverlapPolicy.Ask)
    {
        if (!file.Exists)
        {
            await output.WriteLineAsync($"File not found: {file.FullName}");
            return Rejected;
        }

        await using var scope = services.CreateAsyncScope();
        await using var content = file.OpenRead();
        // Like an upload in the portal: enough labelled rows queue a training (the portal's scheduler runs it).
        var (result, run) = await scope.ServiceProvider.GetRequiredService<DatasetUploads>()
            .UploadAsync(new DatasetUpload(content, file.Name, sheet, label, UploaderId: null, allowDuplicate, onOverlap), "studyrecs import", cancellationToken);

        if (json)
        {
            await output.WriteLineAsync(DatasetReportJson.Serialize(result.Report));
        }
        else
        {
            await WriteTextAsync(output, result);
        }

        if (run is not null)
        {
            var message = $"Training run {run.Id} queued; a running portal trains it (follow it with `studyrecs models list`).";
            await (json ? Console.Error : output).WriteLineAsync(message);
        }

        if (result.Overlap is { Rows: > 0 } overlap)
        {
            await (json ? Console.Error : output).WriteLineAsync(overlap.Policy == OverlapPolicy.Ask
                ? $"{overlap.Message} Run again with --on-overlap replace or --on-overlap cancel."
                : overlap.Message);
        }

        return result.IsAccepted ? Accepted : result.Overlap is { Rows: > 0, Policy: OverlapPolicy.Ask } ? OverlapNeedsChoice : Rejected;
    }

    private static async Task WriteTextAsync(TextWriter output, DatasetImportResult result)
    {
        var report = result.Report;
        var dataset = result.Dataset;
        var inv = CultureInfo.InvariantCulture;
        await output.WriteLineAsync(result.StoppedByOverlap
            ? $"{dataset.FileName}: valid, not stored (rows overlap accepted datasets)"
            : $"Dataset #{dataset.Id} {dataset.FileName}: {dataset.Status}");
        await output.WriteLineAsync(report.Summary);
        var details = new List<string> { $"format {report.Format}" };
        if (report.Encoding is not null)
        {
            details.Add($"encoding {report.Encoding}");
            details.Add($"delimiter {(report.Delimiter == "\t" ? "tab" : report.Delimiter)}");
        }

        if (report.Sheet is not null)
        {
            details.Add($"sheet '{report.Sheet}'");
        }

        details.Add(string.Create(inv, $"{report.TotalRows:N0} rows, {report.ValidRows:N0} valid, {report.LabelledRows:N0} labelled, {report.BlankRowsSkipped:N0} blank skipped"));
        await output.WriteLineAsync(string.Join("; ", details));
        if (dataset.DuplicateOfId is { } original)
        {
            await output.WriteLineAsync($"Identical to dataset #{original}.");
        }

        foreach (var extra in report.ExtraColumns)
        {
            await output.WriteLineAsync($"Extra feature column '{extra.Name}': {extra.Type.ToString().ToLowerInvariant()}");
        }

        if (report.ProblemCounts.Count > 0)
        {
            await output.WriteLineAsync("Problems by rule:");
            foreach (var count in report.ProblemCounts)
            {
                await output.WriteLineAsync(string.Create(inv, $"  {count.Rule} ({count.Severity.ToString().ToLowerInvariant()}): {count.Count:N0}"));
            }

            await output.WriteLineAsync(report.Problems.Count < report.ErrorCount + report.WarningCount
                ? $"First {report.Problems.Count} problems:"
                : "Problems:");
            foreach (var p in report.Problems)
            {
                var where = p.Row == 0 ? "file" : $"row {p.Row}";
                var column = p.Column is null ? "" : $", {p.Column}";
                await output.WriteLineAsync($"  {where}{column}: {p.Severity.ToString().ToLowerInvariant()} {p.Rule}: {p.Message}");
            }
        }
    }
}
