using StudyRecs.Core.Training;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Validation;

namespace StudyRecs.Core.Tests.Training;

/// <summary>The predicted-against-actual sample drawn from a cross-validated candidate's held-out forecasts.</summary>
public sealed class OutOfFoldSampleTests
{
    /// <summary>A hold-out split's candidate: rows 0, 3, 6... were never held out (NaN, not predicted).</summary>
    private static (CrossValidatedCandidate Candidate, float[] Labels) HoldOut(int rows)
    {
        var labels = Enumerable.Range(0, rows).Select(i => (float)(i * 100.0 / rows)).ToArray();
        var predicted = Enumerable.Range(0, rows).Select(i => i % 3 != 0).ToArray();
        var outOfFold = Enumerable.Range(0, rows).Select(i => predicted[i] ? labels[i] + 0.123456 : double.NaN).ToArray();
        var candidate = new CrossValidatedCandidate(new GradientBoostingLearner(new GradientBoostingOptions()), outOfFold, predicted,
            new Dictionary<string, MetricSummary>(), null, null, 0);
        return (candidate, labels);
    }

    [Fact]
    public void Few_rows_are_all_kept_in_row_order_and_rows_no_fold_held_out_are_left_out()
    {
        var (candidate, labels) = HoldOut(30);

        var sample = OutOfFoldSample.Draw(candidate, labels, seed: 1);

        Assert.Equal(20, sample.Total);
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 != 0).Select(i => new MarksPair(Math.Round((double)labels[i], 2), Math.Round(labels[i] + 0.123456, 2))), sample.Points);
    }

    [Fact]
    public void Many_rows_give_at_most_the_maximum_the_same_points_for_the_same_seed_and_other_points_for_another()
    {
        var (candidate, labels) = HoldOut(3_000);

        var sample = OutOfFoldSample.Draw(candidate, labels, seed: 7);

        Assert.Equal(2_000, sample.Total);
        Assert.Equal(OutOfFoldSample.MaximumPoints, sample.Points.Count);
        Assert.Equal(OutOfFoldSample.MaximumPoints, sample.Points.Distinct().Count());
        Assert.All(sample.Points, p => Assert.Equal(p.Actual + 0.12, p.Predicted, 0.011));
        Assert.Equal(sample.Points, OutOfFoldSample.Draw(candidate, labels, seed: 7).Points);
        Assert.NotEqual(sample.Points, OutOfFoldSample.Draw(candidate, labels, seed: 8).Points);
    }
}
