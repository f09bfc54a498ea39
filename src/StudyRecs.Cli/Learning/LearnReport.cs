using System.Globalization;
using System.Text;
using System.Text.Json;
using StudyRecs.Learning.Data;

namespace StudyRecs.Cli.Learning;

/// <summary>Prints a `learn` result as one JSON object or as a readable table.</summary>
internal static class LearnReport
{
    public static string Json(LearnResult r, double parseSeconds)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            var s = r.Settings;
            w.WriteStartObject();
            w.WriteString("task", TaskName(s.Task));
            w.WriteString("algorithm", s.Algorithm);
            w.WriteString("chosen", Choices(r));
            w.WriteString("library", string.Join(", ", r.Libraries));
            w.WriteNumber("rows", r.Rows);
            w.WriteNumber("features", r.Features);
            w.WriteString("evaluation", s.Folds > 0 ? "cv" : "holdout");
            if (s.Folds > 0)
            {
                w.WriteNumber("folds", s.Folds);
                w.WriteNumber("repeats", s.Repeats);
            }
            else
            {
                w.WriteNumber("test_fraction", s.TestFraction);
            }

            w.WriteNumber("test_rows", r.PredictedRows);
            w.WriteNumber("parse_seconds", Math.Round(parseSeconds, 3));
            w.WriteNumber("fit_seconds", Math.Round(r.FitSeconds, 3));
            w.WriteNumber("predict_seconds", Math.Round(r.PredictSeconds, 4));
            w.WriteNumber("rows_per_second", Math.Round(r.PredictedRows / Math.Max(r.PredictSeconds, 1e-9)));
            foreach (var (name, value) in Metrics(r))
            {
                w.WriteNumber(name, value);
            }

            if (r.FoldSpread is { } spread)
            {
                var metric = s.Task == LearningTask.Regression ? "rmse" : "accuracy";
                w.WriteNumber($"fold_{metric}_mean", spread.Mean);
                w.WriteNumber($"fold_{metric}_sd", spread.StandardDeviation);
            }

            w.WriteNumber("threads", s.Threads);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Table(LearnResult r, double parseSeconds, TextWriter output)
    {
        var s = r.Settings;
        var c = CultureInfo.InvariantCulture;
        var lines = new List<(string, string)>
        {
            ("task", TaskName(s.Task)),
            ("algorithm", s.Algorithm == "auto" ? $"auto → {Choices(r)}" : Choices(r)),
            ("library", string.Join(", ", r.Libraries)),
            ("rows × features", string.Create(c, $"{r.Rows:N0} × {r.Features:N0}")),
            ("evaluation", s.Folds > 0 ? string.Create(c, $"{s.Folds}-fold CV × {s.Repeats}{(s.Group is null ? "" : $", grouped by {s.Group}")}, pooled over {r.PredictedRows:N0} predictions") : string.Create(c, $"hold-out: last {r.PredictedRows:N0} rows ({s.TestFraction:0.###})")),
            ("parse", string.Create(c, $"{parseSeconds:0.000} s")),
            ("fit", string.Create(c, $"{r.FitSeconds:0.000} s")),
            ("predict", string.Create(c, $"{r.PredictSeconds:0.0000} s ({r.PredictedRows / Math.Max(r.PredictSeconds, 1e-9):N0} rows/s)")),
        };
        foreach (var (name, value) in Metrics(r))
        {
            lines.Add((name, value.ToString("0.0000", c)));
        }

        if (r.FoldSpread is { } spread)
        {
            lines.Add((s.Task == LearningTask.Regression ? "fold rmse" : "fold accuracy", string.Create(c, $"{spread.Mean:0.0000} ± {spread.StandardDeviation:0.0000} (min {spread.Minimum:0.0000}, max {spread.Maximum:0.0000})")));
        }

        var width = lines.Max(l => l.Item1.Length);
        foreach (var (name, value) in lines)
        {
            output.WriteLine($"{name.PadRight(width)}  {value}");
        }

        if (r.Classification is { } m)
        {
            output.WriteLine();
            output.WriteLine($"{"class".PadRight(16)} {"precision",9} {"recall",9} {"f1",9} {"support",9} {"brier",9}");
            foreach (var k in m.PerClass)
            {
                var label = k.Class < r.Classes.Count ? r.Classes[k.Class] : k.Class.ToString(c);
                output.WriteLine(string.Create(c, $"{Shorten(label).PadRight(16)} {k.Precision,9:0.0000} {k.Recall,9:0.0000} {k.F1,9:0.0000} {k.Support,9} {k.Brier,9:0.0000}"));
            }
        }
    }

    private static IEnumerable<(string Name, double Value)> Metrics(LearnResult r)
    {
        if (r.Regression is { } reg)
        {
            yield return ("rmse", reg.Rmse);
            yield return ("mae", reg.Mae);
            yield return ("r2", reg.R2);
        }

        if (r.Classification is { } m)
        {
            yield return ("accuracy", m.Accuracy);
            yield return ("weighted_f1", m.WeightedF1);
            yield return ("macro_f1", m.MacroF1);
            yield return ("log_loss", m.LogLoss);
            yield return ("brier", m.BrierMacro);
        }
    }

    private static string Choices(LearnResult r) =>
        r.Choices.Count == 1 ? r.Choices[0].Choice : string.Join("; ", r.Choices.Select(c => $"{c.Choice} ×{c.Count}"));

    private static string TaskName(LearningTask task) => task switch
    {
        LearningTask.Regression => "regression",
        LearningTask.BinaryClassification => "binary",
        _ => "multiclass",
    };

    private static string Shorten(string label) => label.Length <= 16 ? label : label[..15] + "…";
}
