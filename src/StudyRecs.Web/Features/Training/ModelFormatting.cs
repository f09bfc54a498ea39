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

    public static string Spread(Learning.Validation.MetricSummary s, int decimals = 3) => $"{Number(s.Mean, decimals)} ± {Number(s.StandardDeviation, decimals)}";
}
