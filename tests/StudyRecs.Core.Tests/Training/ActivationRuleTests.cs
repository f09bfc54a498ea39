using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Training;

public sealed class ActivationRuleTests
{
    private const string Rmse = CrossValidatedTrainer.RegressionSelectionMetric;
    private const string F1 = CrossValidatedTrainer.ClassificationSelectionMetric;

    [Fact]
    public void The_first_model_of_a_task_is_always_activated()
    {
        Assert.Equal((true, "First regression model (CV RMSE 9.5)."), ActivationRule.Decide(ModelTask.Regression, Rmse, 9.5, null, 0));
        Assert.Equal((true, "First classification model (CV weighted F1 0.1)."), ActivationRule.Decide(ModelTask.Classification, F1, 0.1, null, 0));
    }

    [Fact]
    public void A_recommendation_version_is_judged_on_its_offline_ndcg_where_higher_is_better()
    {
        const string ndcg = Core.Recommendations.RecommendationReport.SelectionMetric;
        Assert.Equal((true, "First recommendation model (offline NDCG@10 0.25)."), ActivationRule.Decide(ModelTask.Recommendation, ndcg, 0.25, null, 0));
        Assert.Equal((false, "offline NDCG@10 0.2 is worse than the active 20261122010203 (0.25)."),
            ActivationRule.Decide(ModelTask.Recommendation, ndcg, 0.2, new ActiveScore("20261122010203", 0.25), 0));
        Assert.True(ActivationRule.Decide(ModelTask.Recommendation, ndcg, 0.3, new ActiveScore("20261122010203", 0.25), 0).Activate);
    }

    [Theory]
    [InlineData(5.01, 0, true)]
    [InlineData(5.02, 0, true)]
    [InlineData(5.03, 0, false)]
    [InlineData(5.10, 0.1, true)]
    [InlineData(5.13, 0.1, false)]
    public void A_regression_model_needs_a_cv_rmse_no_higher_than_the_active_one_plus_the_tolerance(double rmse, double tolerance, bool activated) =>
        Assert.Equal(activated, ActivationRule.Decide(ModelTask.Regression, Rmse, rmse, new ActiveScore("20261122010203", 5.02), tolerance).Activate);

    [Theory]
    [InlineData(0.45, 0, true)]
    [InlineData(0.44, 0, true)]
    [InlineData(0.43, 0, false)]
    [InlineData(0.43, 0.02, true)]
    [InlineData(0.41, 0.02, false)]
    public void A_classification_model_needs_a_cv_weighted_f1_no_lower_than_the_active_one_minus_the_tolerance(double f1, double tolerance, bool activated) =>
        Assert.Equal(activated, ActivationRule.Decide(ModelTask.Classification, F1, f1, new ActiveScore("20261122010203", 0.44), tolerance).Activate);

    [Fact]
    public void The_reason_names_both_scores_the_active_version_and_the_tolerance()
    {
        Assert.Equal("CV RMSE 5.31 is worse than the active 20261122010203 (5.02).",
            ActivationRule.Decide(ModelTask.Regression, Rmse, 5.31, new ActiveScore("20261122010203", 5.02), 0).Reason);
        Assert.Equal("CV weighted F1 0.43 is not worse than the active 20261122010203 (0.44, tolerance 0.02).",
            ActivationRule.Decide(ModelTask.Classification, F1, 0.43, new ActiveScore("20261122010203", 0.44), 0.02).Reason);
    }
}
