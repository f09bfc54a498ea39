using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StudyRecs.Learning.Data;

namespace StudyRecs.Cli.Learning;

/// <summary>
/// <c>studyrecs learn</c>: train and evaluate the tree engine on a CSV file (issue 3's contract,
/// called by external benchmarks). Every refusal exits with code 2 and one message on stderr.
/// </summary>
internal static class LearnCommand
{
    private const int Ok = 0;
    private const int BadInput = 2;

    public static Command Create()
    {
        // Values are parsed here rather than by typed options so malformed input also exits with 2.
        var data = new Option<string?>("--data") { Description = "CSV file with a header row", HelpName = "FILE.csv" };
        var target = new Option<string?>("--target") { Description = "Column to predict", HelpName = "COLUMN" };
        var task = new Option<string?>("--task") { Description = "regression, binary or multiclass", HelpName = "TASK" };
        var algorithm = new Option<string?>("--algorithm") { Description = "gbdt (default) or forest (the engine's), fasttree, fastforest or lightgbm (ML.NET's), or auto (chosen among both libraries by inner CV on the training part)", HelpName = "ALGORITHM" };
        var trees = new Option<string?>("--trees") { Description = "Boosting rounds or forest trees (default 100)", HelpName = "N" };
        var leaves = new Option<string?>("--leaves") { Description = "Maximum leaves per tree (default 20)", HelpName = "N" };
        var learningRate = new Option<string?>("--learning-rate") { Description = "Shrinkage (default 0.2)", HelpName = "RATE" };
        var minLeaf = new Option<string?>("--min-leaf") { Description = "Minimum rows per leaf (default 10)", HelpName = "N" };
        var maxBins = new Option<string?>("--max-bins") { Description = "Maximum bins per feature, 2..255 (default 255)", HelpName = "N" };
        var seed = new Option<string?>("--seed") { Description = "Seed for sampling and fold shuffles (default 0)", HelpName = "N" };
        var threads = new Option<string?>("--threads") { Description = "Worker threads (default: all cores)", HelpName = "N" };
        var testFraction = new Option<string?>("--test-fraction") { Description = "Test on the last round(F·n) rows in file order (default 0.2)", HelpName = "F" };
        var cv = new Option<string?>("--cv") { Description = "K-fold cross-validation instead of a hold-out (stratified for classification)", HelpName = "K" };
        var repeats = new Option<string?>("--repeats") { Description = "Repeat --cv with fresh shuffles (default 1)", HelpName = "R" };
        var group = new Option<string?>("--group") { Description = "With --cv: keep rows sharing this column's value in one fold", HelpName = "COLUMN" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var command = new Command("learn", "Train and evaluate gradient-boosted trees or a random forest on a CSV file")
        {
            data, target, task, algorithm, trees, leaves, learningRate, minLeaf, maxBins, seed, threads, testFraction, cv, repeats, group, json,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                if (parseResult.UnmatchedTokens.Count > 0)
                {
                    throw new LearnInputException($"Unknown argument '{parseResult.UnmatchedTokens[0]}'; see studyrecs learn --help.");
                }

                var settings = Settings(
                    parseResult.GetValue(data), parseResult.GetValue(target), parseResult.GetValue(task), parseResult.GetValue(algorithm),
                    parseResult.GetValue(trees), parseResult.GetValue(leaves), parseResult.GetValue(learningRate), parseResult.GetValue(minLeaf),
                    parseResult.GetValue(maxBins), parseResult.GetValue(seed), parseResult.GetValue(threads), parseResult.GetValue(testFraction),
                    parseResult.GetValue(cv), parseResult.GetValue(repeats), parseResult.GetValue(group), parseResult.GetValue(json));
                return Run(settings, output, error);
            }
            catch (LearnInputException ex)
            {
                error.WriteLine($"learn: {ex.Message}");
                return BadInput;
            }
        });
        return command;
    }

    /// <summary>Reads, trains, evaluates and reports; bad input throws <see cref="LearnInputException"/>.</summary>
    public static int Run(LearnSettings settings, TextWriter output, TextWriter messages)
    {
        var clock = Stopwatch.StartNew();
        var table = CsvTable.Read(settings.DataPath, settings.Threads);
        var data = LearningDataset.Create(table, settings.Target, settings.Task, settings.Group);
        var parseSeconds = clock.Elapsed.TotalSeconds;
        foreach (var note in data.Notes)
        {
            messages.WriteLine($"learn: note: {note}");
        }

        LearnResult result;
        try
        {
            result = LearnRunner.Run(settings, data);
        }
        catch (ArgumentException ex)
        {
            throw new LearnInputException(ex.Message);
        }

        if (settings.Json)
        {
            output.WriteLine(LearnReport.Json(result, parseSeconds));
        }
        else
        {
            LearnReport.Table(result, parseSeconds, output);
        }

        return Ok;
    }

    internal static LearnSettings Settings(
        string? data, string? target, string? task, string? algorithm, string? trees, string? leaves, string? learningRate, string? minLeaf,
        string? maxBins, string? seed, string? threads, string? testFraction, string? cv, string? repeats, string? group, bool json)
    {
        if (string.IsNullOrWhiteSpace(data))
        {
            throw new LearnInputException("--data FILE.csv is required.");
        }

        if (string.IsNullOrWhiteSpace(target))
        {
            throw new LearnInputException("--target COLUMN is required.");
        }

        var learningTask = task?.Trim().ToLowerInvariant() switch
        {
            "regression" => LearningTask.Regression,
            "binary" => LearningTask.BinaryClassification,
            "multiclass" => LearningTask.MulticlassClassification,
            null or "" => throw new LearnInputException("--task is required: regression, binary or multiclass."),
            _ => throw new LearnInputException($"Unknown --task '{task}': use regression, binary or multiclass."),
        };
        var algo = algorithm?.Trim().ToLowerInvariant() ?? "gbdt";
        if (!LearnCandidates.Algorithms.Contains(algo, StringComparer.Ordinal))
        {
            throw new LearnInputException($"Unknown --algorithm '{algorithm}': use {string.Join(", ", LearnCandidates.Algorithms)}.");
        }

        if (testFraction is not null && cv is not null)
        {
            throw new LearnInputException("Use either --test-fraction or --cv, not both.");
        }

        var folds = cv is null ? 0 : Integer("--cv", cv, 2, 1000);
        if (cv is null && (repeats is not null || group is not null))
        {
            throw new LearnInputException("--repeats and --group apply to --cv only.");
        }

        var fraction = testFraction is null ? 0.2 : Number("--test-fraction", testFraction);
        if (fraction is <= 0 or >= 1)
        {
            throw new LearnInputException($"--test-fraction must be between 0 and 1 (exclusive), got {testFraction}.");
        }

        var rate = learningRate is null ? 0.2 : Number("--learning-rate", learningRate);
        if (!(rate > 0))
        {
            throw new LearnInputException($"--learning-rate must be positive, got {learningRate}.");
        }

        return new LearnSettings
        {
            DataPath = data,
            Target = target,
            Task = learningTask,
            Algorithm = algo,
            Trees = trees is null ? 100 : Integer("--trees", trees, 1, 100_000),
            Leaves = leaves is null ? 20 : Integer("--leaves", leaves, 2, 131_072),
            LearningRate = rate,
            MinLeaf = minLeaf is null ? 10 : Integer("--min-leaf", minLeaf, 1, int.MaxValue),
            MaxBins = maxBins is null ? 255 : Integer("--max-bins", maxBins, 2, 255),
            Seed = seed is null ? 0 : Integer("--seed", seed, int.MinValue, int.MaxValue),
            Threads = threads is null ? Environment.ProcessorCount : Integer("--threads", threads, 1, 1024),
            TestFraction = fraction,
            Folds = folds,
            Repeats = repeats is null ? 1 : Integer("--repeats", repeats, 1, 1000),
            Group = group,
            Json = json,
        };
    }

    private static int Integer(string option, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new LearnInputException($"{option} must be a whole number, got '{text}'.");
        }

        if (value < min || value > max)
        {
            throw new LearnInputException(max == int.MaxValue ? $"{option} must be at least {min}, got {value}." : $"{option} must be between {min} and {max}, got {value}.");
        }

        return value;
    }

    private static double Number(string option, string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new LearnInputException($"{option} must be a number, got '{text}'.");
        }

        return value;
    }
}
