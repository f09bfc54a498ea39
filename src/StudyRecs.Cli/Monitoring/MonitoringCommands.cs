using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Monitoring;
using StudyRecs.Core.Training;

namespace StudyRecs.Cli.Monitoring;

/// <summary>Bad option values of the monitoring commands: a message and exit code 2.</summary>
internal sealed class MonitoringInputException(string message) : Exception(message);

/// <summary><c>studyrecs monitor</c> (drift), <c>studyrecs evaluate-feedback</c> (realised accuracy) and <c>studyrecs quality</c>.</summary>
internal static class MonitoringCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Monitor()
    {
        var lookback = new Option<string?>("--lookback-days") { Description = "Days of uploads and forecasts to compare with the training data (default Monitoring:LookbackDays, 30)", HelpName = "N" };
        var minSamples = new Option<string?>("--min-samples") { Description = "Fewer samples give \"not enough data\" (default Monitoring:MinSamples, 50)", HelpName = "N" };
        var threshold = new Option<string?>("--drift-threshold") { Description = "PSI at which a feature has drifted (default Monitoring:DriftThreshold, 0.25)", HelpName = "PSI" };
        var autoRetrain = new Option<bool>("--auto-retrain") { Description = "Queue one training per new alert (also on with Monitoring:AutoRetrain)" };
        var json = new Option<bool>("--json") { Description = "Print JSON: features, drifted, retrain_queued" };
        var command = new Command("monitor", "Compare what the serving model was asked to score with its training data (PSI per feature); raise drift alerts")
        {
            lookback, minSamples, threshold, autoRetrain, json,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((pr, ct) => RunAsync(pr, o => new DriftCheckRequest(
                Whole("--lookback-days", pr.GetValue(lookback), o.LookbackDays),
                Whole("--min-samples", pr.GetValue(minSamples), o.MinSamples),
                Positive("--drift-threshold", pr.GetValue(threshold), o.DriftThreshold),
                pr.GetValue(autoRetrain) || o.AutoRetrain), async (services, request) =>
        {
            await using var scope = services.CreateAsyncScope();
            var report = await scope.ServiceProvider.GetRequiredService<DriftMonitor>().CheckAsync(request, ct);
            Console.WriteLine(pr.GetValue(json) ? DriftJson(report) : DriftText(report));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command EvaluateFeedback()
    {
        var lookback = new Option<string?>("--lookback-days") { Description = "Days of forecast snapshots to match with later outcomes (default Monitoring:FeedbackLookbackDays, 180)", HelpName = "N" };
        var minSamples = new Option<string?>("--min-samples") { Description = "Matched outcomes a version needs to be judged (default Monitoring:FeedbackMinSamples, 30)", HelpName = "N" };
        var autoRetrain = new Option<bool>("--auto-retrain") { Description = "Queue one training per new alert (also on with Monitoring:AutoRetrain)" };
        var json = new Option<bool>("--json") { Description = "Print JSON: versions (version, task, samples, realised and cv metrics), retrain_queued" };
        var command = new Command("evaluate-feedback", "Realised accuracy per model version: forecasts shown against the final results uploaded later, beside the cross-validated estimates")
        {
            lookback, minSamples, autoRetrain, json,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((pr, ct) => RunAsync(pr, o => new FeedbackCheckRequest(
                Whole("--lookback-days", pr.GetValue(lookback), o.FeedbackLookbackDays),
                Whole("--min-samples", pr.GetValue(minSamples), o.FeedbackMinSamples),
                pr.GetValue(autoRetrain) || o.AutoRetrain), async (services, request) =>
        {
            await using var scope = services.CreateAsyncScope();
            var report = await scope.ServiceProvider.GetRequiredService<RealisedAccuracy>().EvaluateAsync(request, ct);
            Console.WriteLine(pr.GetValue(json) ? FeedbackJson(report) : FeedbackText(report));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Quality()
    {
        var dataset = new Option<string?>("--dataset") { Description = "Id of the dataset to report on", HelpName = "ID" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("quality", "Data quality of a stored dataset: missing values, out-of-range and outlier counts, distributions, grade balance, overlap, distance from the training data")
        {
            dataset, json,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((pr, ct) => RunAsync(pr, _ => Identifier("--dataset", pr.GetValue(dataset)), async (services, id) =>
        {
            await using var scope = services.CreateAsyncScope();
            var report = await scope.ServiceProvider.GetRequiredService<DatasetQuality>().ReportAsync(id, ct)
                ?? throw new MonitoringInputException($"There is no dataset {id}; `studyrecs import` prints the id of each one it stores.");
            Console.WriteLine(pr.GetValue(json) ? JsonSerializer.Serialize(report, SnakeCase) : QualityText(report));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static readonly JsonSerializerOptions SnakeCase = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static string QualityText(DatasetQualityReport report)
    {
        var lines = new List<string>
        {
            $"Dataset {report.DatasetId} ({report.FileName}, {report.Status}): {report.Rows} rows" +
                (report.ComparedWithVersion is { } v ? $", compared with the training data of version {v}" : ", no serving model to compare with"),
        };
        foreach (var c in report.Numeric)
        {
            var q = c.Quantiles.Count == 7 ? string.Create(CultureInfo.InvariantCulture, $"min {c.Quantiles[0]:0.##}, median {c.Quantiles[3]:0.##}, max {c.Quantiles[6]:0.##}") : "no values";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {c.Column,-22} missing {c.MissingShare,6:P1}  out of range {c.OutOfRange,6}  outliers {c.Outliers,6}  {q}{(c.Psi is { } psi ? $"  PSI {psi:0.000}" : "")}"));
        }

        foreach (var c in report.Categorical)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {c.Column,-22} missing {c.MissingShare,6:P1}  {c.Values.Count} distinct{(c.Unseen > 0 ? $", {c.Unseen} rows with values training never saw" : "")}{(c.Psi is { } psi ? $"  PSI {psi:0.000}" : "")}"));
        }

        lines.Add("  grades: " + (report.GradeBalance.Count == 0 ? "none" : string.Join(", ", report.GradeBalance.Select(g => $"{g.Key} {g.Value}"))));
        lines.Add(report.OverlappingRows == 0 ? "  no row overlaps another accepted dataset"
            : $"  {report.OverlappingRows} row(s) overlap other accepted datasets (same student, semester, subject): " + string.Join(", ", report.Overlaps.Select(o => $"dataset {o.DatasetId}: {o.Rows}")));
        return string.Join(Environment.NewLine, lines);
    }

    internal static long Identifier(string option, string? text)
    {
        if (text is null)
        {
            throw new MonitoringInputException($"{option} is required.");
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new MonitoringInputException($"{option} must be a dataset id (a whole number), got '{text}'.");
        }

        return value >= 1 ? value : throw new MonitoringInputException($"{option} must be at least 1, got {value}.");
    }

    internal static void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        Training.TrainCommand.ConfigureServices(services, configuration);
        services.AddStudyRecsMonitoring();
    }

    /// <summary>Checks the arguments (before touching the database), migrates, runs; bad input is a message on stderr and exit 2.</summary>
    private static Task<int> RunAsync<TRequest>(ParseResult parseResult, Func<MonitoringOptions, TRequest> read, Func<IServiceProvider, TRequest, Task<int>> action, CancellationToken ct) => CliDatabase.GuardAsync(async () =>
    {
        try
        {
            if (parseResult.UnmatchedTokens.Count > 0)
            {
                throw new MonitoringInputException($"Unknown argument '{parseResult.UnmatchedTokens[0]}'; see studyrecs {parseResult.CommandResult.Command.Name} --help.");
            }

            await using var services = CliServices.Build(ConfigureServices);
            var request = read(services.GetRequiredService<IOptions<MonitoringOptions>>().Value);
            await CliDatabase.MigrateAsync(services, ct);
            return await action(services, request);
        }
        catch (MonitoringInputException ex)
        {
            await Console.Error.WriteLineAsync($"{parseResult.CommandResult.Command.Name}: {ex.Message}");
            return ExitCodes.Failed;
        }
    });

    internal static int Whole(string option, string? text, int fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new MonitoringInputException($"{option} must be a whole number, got '{text}'.");
        }

        return value >= 1 ? value : throw new MonitoringInputException($"{option} must be at least 1, got {value}.");
    }

    internal static double Positive(string option, string? text, double fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new MonitoringInputException($"{option} must be a number, got '{text}'.");
        }

        return value > 0 ? value : throw new MonitoringInputException($"{option} must be greater than 0, got {text}.");
    }

    internal static string DriftJson(DriftReport report) => new JsonObject
    {
        ["task"] = report.Task?.ToString().ToLowerInvariant(),
        ["model_version"] = report.ModelVersion,
        ["samples"] = report.Samples,
        ["uploaded_rows"] = report.UploadedRows,
        ["forecast_inputs"] = report.ForecastInputs,
        ["enough_data"] = report.EnoughData,
        ["message"] = report.Message,
        ["features"] = new JsonArray([.. report.Features.Select(f => (JsonNode)new JsonObject
        {
            ["name"] = f.Feature,
            ["psi"] = Round(f.Psi),
            ["out_of_range_share"] = Round(f.OutOfRangeShare),
            ["samples"] = f.Samples,
            ["drifted"] = f.Drifted,
        })]),
        ["predicted_grade_psi"] = report.PredictedGradePsi is { } psi ? Round(psi) : null,
        ["drifted"] = report.Drifted,
        ["retrain_queued"] = report.RetrainQueued,
        ["training_run_id"] = report.TrainingRunId,
    }.ToJsonString(Indented);

    private static string DriftText(DriftReport report)
    {
        var lines = new List<string> { report.ModelVersion is null ? report.Message : $"{report.Task} version {report.ModelVersion}, {report.Samples} samples ({report.UploadedRows} uploaded rows, {report.ForecastInputs} forecast inputs): {report.Message}" };
        lines.AddRange(report.Features.Select(f => string.Create(CultureInfo.InvariantCulture,
            $"  {f.Feature,-24} PSI {f.Psi,8:0.0000}  out of range {f.OutOfRangeShare,7:P1}  samples {f.Samples,9}{(f.Drifted ? "  DRIFTED" : "")}")));
        if (report.PredictedGradePsi is { } psi)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  predicted grades         PSI {psi,8:0.0000} against the training grades"));
        }

        if (report.RetrainQueued)
        {
            lines.Add($"Queued training run {report.TrainingRunId} (trigger: drift).");
        }

        return string.Join(Environment.NewLine, lines);
    }

    internal static string FeedbackJson(FeedbackReport report) => new JsonObject
    {
        ["snapshots"] = report.Snapshots,
        ["matched"] = report.Matched,
        ["versions"] = new JsonArray([.. report.Versions.Select(v => (JsonNode)new JsonObject
        {
            ["version"] = v.Version,
            ["task"] = v.Task.ToString().ToLowerInvariant(),
            ["active"] = v.IsActive,
            ["samples"] = v.Samples,
            ["enough_data"] = v.EnoughData,
            ["realised"] = Metrics(v.Realised),
            ["cv"] = v.Cv is null ? null : Metrics(v.Cv),
            ["worse_than_cv"] = v.WorseThanCv,
        })]),
        ["retrain_queued"] = report.RetrainQueued,
        ["training_run_id"] = report.TrainingRunId,
    }.ToJsonString(Indented);

    private static JsonObject Metrics(AccuracyMetrics m)
    {
        var json = new JsonObject();
        Add("rmse", m.Rmse);
        Add("mae", m.Mae);
        Add("interval_coverage", m.IntervalCoverage);
        Add("accuracy", m.Accuracy);
        Add("brier", m.Brier);
        return json;

        void Add(string name, double? value)
        {
            if (value is { } v)
            {
                json[name] = Round(v);
            }
        }
    }

    private static string FeedbackText(FeedbackReport report)
    {
        var lines = new List<string> { $"{report.Matched} of {report.Snapshots} forecast snapshot(s) matched with a later outcome." };
        foreach (var v in report.Versions)
        {
            var realised = v.Task == ModelTask.Regression
                ? string.Create(CultureInfo.InvariantCulture, $"RMSE {v.Realised.Rmse:0.00} (CV {v.Cv?.Rmse:0.00}), MAE {v.Realised.Mae:0.00} (CV {v.Cv?.Mae:0.00}), interval coverage {v.Realised.IntervalCoverage:P0} (nominal {v.Cv?.IntervalCoverage:P0})")
                : string.Create(CultureInfo.InvariantCulture, $"accuracy {v.Realised.Accuracy:P1} (CV {v.Cv?.Accuracy:P1}), Brier {v.Realised.Brier:0.0000} (CV {v.Cv?.Brier:0.0000})");
            var verdict = !v.EnoughData ? "not enough data" : v.WorseThanCv ? "WORSE THAN CV" : "as expected";
            lines.Add($"  {v.Task.ToString().ToLowerInvariant(),-14} {v.Version}{(v.IsActive ? " (active)" : "")}: {v.Samples} outcomes, {realised}: {verdict}");
        }

        if (report.RetrainQueued)
        {
            lines.Add($"Queued training run {report.TrainingRunId} (trigger: feedback).");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static double Round(double value) => Math.Round(value, 6);
}
