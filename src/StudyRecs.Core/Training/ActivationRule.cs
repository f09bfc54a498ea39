using System.Globalization;

namespace StudyRecs.Core.Training;

/// <summary>The active version a new model is compared with.</summary>
internal sealed record ActiveScore(string Version, double Score);

/// <summary>
/// Whether a newly trained version replaces the active one: only when it is not worse on the task's selection metric
/// (CV RMSE, lower is better; CV weighted F1 and a recommender's offline NDCG@10, higher is better), allowing
/// <see cref="TrainingOptions.ActivationTolerance"/>.
/// The first version of a task is always activated. The reason becomes the activation or non-activation reason.
/// </summary>
internal static class ActivationRule
{
    public static (bool Activate, string Reason) Decide(ModelTask task, string metric, double score, ActiveScore? active, double tolerance)
    {
        var described = Describe(metric) + " " + Format(score);
        if (active is null)
        {
            return (true, $"First {task.ToString().ToLowerInvariant()} model ({described}).");
        }

        var notWorse = metric == CrossValidatedTrainer.RegressionSelectionMetric
            ? score <= active.Score + tolerance
            : score >= active.Score - tolerance;
        var comparison = $"the active {active.Version} ({Format(active.Score)}{(tolerance > 0 ? ", tolerance " + Format(tolerance) : "")})";
        return notWorse ? (true, $"{described} is not worse than {comparison}.") : (false, $"{described} is worse than {comparison}.");
    }

    /// <summary>
    /// A pinned task keeps its hand-chosen version: the decision becomes "not activated", and the reason keeps the
    /// comparison and says who pinned which version.
    /// </summary>
    public static (bool Activate, string Reason) Hold(ModelTask task, (bool Activate, string Reason) decision, ModelPin? pin) =>
        pin is null ? decision : (false, string.Create(CultureInfo.InvariantCulture,
            $"{decision.Reason} Not activated: the {task.ToString().ToLowerInvariant()} model is pinned to {pin.Version} by {pin.PinnedBy} since {pin.PinnedAt:yyyy-MM-dd HH:mm} UTC; an admin unpins it to let trainings activate versions again."));

    /// <summary>How a selection metric is named in reasons; every metric but CV RMSE is higher-is-better.</summary>
    public static string Describe(string metric) => metric switch
    {
        CrossValidatedTrainer.RegressionSelectionMetric => "CV RMSE",
        CrossValidatedTrainer.ClassificationSelectionMetric => "CV weighted F1",
        Recommendations.RecommendationReport.SelectionMetric => "offline NDCG@10",
        _ => metric,
    };

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
