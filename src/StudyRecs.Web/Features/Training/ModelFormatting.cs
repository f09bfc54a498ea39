using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Web.Features.Training;

/// <summary>How model tasks and metrics read on pages and in URLs.</summary>
internal static class ModelFormatting
{
    public static string Slug(ModelTask task) => task.ToString().ToLowerInvariant();

    public static ModelTask? ParseSlug(string? slug) =>
        Enum.TryParse<ModelTask>(slug, ignoreCase: true, out var t) && Enum.IsDefined(t) ? t : null;

    public static string Title(ModelTask task) => task switch
    {
        ModelTask.Regression => "Final marks (regression)",
        ModelTask.Classification => "Final grade (classification)",
        _ => "Recommendations",
    };

    /// <summary>The metric versions of a task are compared on, and its value for a model.</summary>
    public static (string Name, double? Value, bool LowerIsBetter) KeyMetric(TrainedModel model) => model.Task switch
    {
        ModelTask.Regression => ("CV RMSE", model.SelectionScore, true),
        ModelTask.Classification => ("CV weighted F1", model.SelectionScore, false),
        _ => ("Offline NDCG@10", model.SelectionScore, false),
    };

    public static string Number(double value, int decimals = 3) => double.IsFinite(value) ? value.ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture) : "—";

    public static string Percent(double value) => double.IsFinite(value) ? (value * 100).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + "%" : "—";

    /// <summary>A cross-validation metric's name as a column heading (<c>weighted_f1</c> → "Weighted F1").</summary>
    public static string MetricName(string metric) => metric switch
    {
        "rmse" => "RMSE",
        "mae" => "MAE",
        "r2" => "R²",
        "accuracy" => "Accuracy",
        "weighted_f1" => "Weighted F1",
        "log_loss" => "Log loss",
        _ => metric,
    };

    /// <summary>
    /// A model input in plain words: gradebook columns by their page names (<c>previous_cgpa</c> → "Previous CGPA"),
    /// one-hot inputs as "Subject: Calculus", extra columns by their own name, the derived inputs described.
    /// </summary>
    public static string FeatureName(string feature)
    {
        const string Extra = "extra:";
        if (feature.IndexOf('=', StringComparison.Ordinal) is var equals and > 0)
        {
            return $"{FeatureName(feature[..equals])}: {feature[(equals + 1)..]}";
        }

        return feature switch
        {
            "assessment_mean" => "Average assessment marks",
            "assessment_mean_vs_subject" => "Marks vs. subject average",
            "attendance_band" => "Attendance band",
            _ when feature.StartsWith(Extra, StringComparison.Ordinal) => feature[Extra.Length..],
            _ => GradebookColumns.DisplayName(feature),
        };
    }

    public static string Spread(Learning.Validation.MetricSummary s, int decimals = 3) => $"{Number(s.Mean, decimals)} ± {Number(s.StandardDeviation, decimals)}";
}
