using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;
using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Validation;

namespace StudyRecs.Learning.Tests.Validation;

public class CandidateSelectionTests
{
    private static readonly GradientBoostingOptions Weak = new() { NumberOfTrees = 2, NumberOfLeaves = 2, LearningRate = 0.1 };
    private static readonly GradientBoostingOptions Strong = new() { NumberOfTrees = 80, NumberOfLeaves = 8, LearningRate = 0.2 };

    [Fact]
    public async Task Chooses_the_learner_with_the_lowest_pooled_out_of_fold_rmse_and_keeps_every_held_out_prediction()
    {
        var data = SyntheticData.Regression(600, seed: 3);
        var splits = CrossValidation.KFold(data.Rows, 4, seed: 1);
        ILearner[] learners = [new GradientBoostingLearner(Weak, "weak"), new GradientBoostingLearner(Strong, "strong"), new RandomForestLearner(new() { NumberOfTrees = 10 }, "forest")];
        var announced = new List<int>();

        var result = await new CandidateSelection(LearningTask.Regression, threads: 2).SelectAsync(learners, data, splits, (i, _) =>
        {
            announced.Add(i);
            return Task.CompletedTask;
        });

        Assert.Equal([0, 1, 2], announced);
        var rmse = result.Candidates.Select(c => c.Regression!.Rmse).ToArray();
        Assert.Equal(Array.IndexOf(rmse, rmse.Min()), result.Best);
        Assert.NotEqual(0, result.Best);
        Assert.All(result.Candidates, c => Assert.All(c.Predicted, Assert.True));
        Assert.All(result.Candidates, c => Assert.Equal(4, c.FoldMetrics["rmse"].Count));

        // The held-out predictions are those of a model fitted without the rows it predicts.
        var fold = splits[2];
        var model = learners[result.Best].Fit(LearningTask.Regression, data.SelectRows(fold.Train), 1);
        var expected = model.PredictBatch(data.SelectRows(fold.Test).Features, 1);
        Assert.Equal(expected, fold.Test.Select(i => result.Winner.OutOfFold[i]));
        Assert.Equal(RegressionMetrics.Compute(result.Winner.OutOfFold, data.Labels), result.Winner.Regression);
    }

    [Fact]
    public async Task The_earlier_of_two_equal_learners_wins()
    {
        var data = SyntheticData.Multiclass(400, seed: 5);
        var splits = CrossValidation.StratifiedKFold(data.Labels, 3, seed: 2);
        ILearner[] learners = [new GradientBoostingLearner(Strong, "first"), new GradientBoostingLearner(Strong, "second")];

        var result = await new CandidateSelection(LearningTask.MulticlassClassification, threads: 2).SelectAsync(learners, data, splits);

        Assert.Equal(result.Candidates[0].Classification!.WeightedF1, result.Candidates[1].Classification!.WeightedF1);
        Assert.Equal("first", result.Winner.Learner.Name);
        Assert.Equal(3, result.Candidates[0].OutOfFold.Length / data.Rows);
    }

    [Fact]
    public void The_rule_breaks_rmse_ties_by_mae_and_f1_ties_by_log_loss()
    {
        var learner = new GradientBoostingLearner(Weak);
        CrossValidatedCandidate Regression(double rmse, double mae) => new(learner, [], [], new Dictionary<string, MetricSummary>(), new RegressionMetrics(rmse, mae, 0), null, 0);
        Assert.Equal(2, CandidateSelection.Best([Regression(2, 1), Regression(1, 0.9), Regression(1, 0.8), Regression(1, 0.8)]));

        // Both predict the right class of every row (equal F1); the second is more confident, so its log loss is lower.
        float[] labels = [0, 1, 1, 0];
        CrossValidatedCandidate Classifier(double confidence) => new(learner, [], [], new Dictionary<string, MetricSummary>(), null,
            ClassificationMetrics.Compute(labels.SelectMany(y => y == 1 ? new[] { 1 - confidence, confidence } : [confidence, 1 - confidence]).ToArray(), labels, 2), 0);
        Assert.Equal(1, CandidateSelection.Best([Classifier(0.7), Classifier(0.9)]));

        var unevaluated = new CrossValidatedCandidate(learner, [], [], new Dictionary<string, MetricSummary>(), null, null, 0);
        Assert.Equal(1, CandidateSelection.Best([unevaluated, Regression(50, 50)]));
    }

    [Fact]
    public async Task A_binary_split_whose_training_rows_hold_one_class_is_skipped_and_its_rows_stay_unpredicted()
    {
        var data = SyntheticData.Binary(200, seed: 9);
        var zeros = Enumerable.Range(0, data.Rows).Where(i => data.Labels[i] == 0).ToArray();
        var ones = Enumerable.Range(0, data.Rows).Where(i => data.Labels[i] == 1).ToArray();
        var all = Enumerable.Range(0, data.Rows).ToArray();
        DataSplit[] splits = [new(zeros, ones, Fold: 0), new(all.Where(i => i % 2 == 0).ToArray(), all.Where(i => i % 2 == 1).ToArray(), Fold: 1)];

        var result = await new CandidateSelection(LearningTask.BinaryClassification, threads: 1).SelectAsync([new GradientBoostingLearner(Strong)], data, splits);

        var candidate = result.Winner;
        Assert.Equal(1, candidate.FoldMetrics["accuracy"].Count);
        Assert.All(ones.Where(i => i % 2 == 0), i => Assert.False(candidate.Predicted[i]));
        Assert.All(all.Where(i => i % 2 == 1), i => Assert.True(candidate.Predicted[i]));
        Assert.True(double.IsNaN(candidate.OutOfFold[ones.First(i => i % 2 == 0) * 2]));
        Assert.Equal(all.Length / 2, candidate.Classification!.ConfusionCounts.Sum());
    }

    [Fact]
    public async Task Refuses_ranking_and_empty_grids()
    {
        Assert.Throws<ArgumentException>(() => new CandidateSelection(LearningTask.Ranking, 1));
        var data = SyntheticData.Regression(50, seed: 1);
        await Assert.ThrowsAsync<ArgumentException>(() => new CandidateSelection(LearningTask.Regression, 1).SelectAsync([], data, CrossValidation.KFold(50, 2, 0)));
    }

    [Fact]
    public async Task Racing_stops_a_clearly_worse_candidate_after_the_first_fold_and_lists_it_with_its_partial_score_and_why()
    {
        var data = SyntheticData.Regression(1000, seed: 4);
        var splits = CrossValidation.KFold(data.Rows, 5, seed: 1);
        ILearner[] learners = [new GradientBoostingLearner(Weak, "weak"), new GradientBoostingLearner(Strong, "strong")];
        var announced = new List<int>();

        var result = await new CandidateSelection(LearningTask.Regression, threads: 2) { RacingStandardErrors = CandidateSelection.StandardRacingMargin }
            .SelectAsync(learners, data, splits, (i, _) =>
            {
                announced.Add(i);
                return Task.CompletedTask;
            });

        Assert.Equal([0, 1], announced);
        var weak = result.Candidates[0];
        Assert.StartsWith("stopped after 1 of 5 folds: clearly worse than strong", weak.Stopped);
        Assert.Equal(1, weak.FoldMetrics["rmse"].Count);
        Assert.Equal(splits[0].Test.Length, weak.Predicted.Count(p => p));
        Assert.True(weak.Regression!.Rmse > 0);
        Assert.Equal(1, result.Best);
        Assert.Null(result.Winner.Stopped);
        Assert.All(result.Winner.Predicted, Assert.True);
        Assert.Equal(5, result.Winner.FoldMetrics["rmse"].Count);
    }

    [Fact]
    public async Task Racing_keeps_close_candidates_running_and_chooses_what_full_cross_validation_chooses()
    {
        // Two boosters of nearly equal skill (different seeds of the same stochastic settings) and a clearly weaker one.
        var data = SyntheticData.Multiclass(900, seed: 6);
        var splits = CrossValidation.StratifiedKFold(data.Labels, 5, seed: 3);
        var bagged = Strong with { FeatureFraction = 0.8, BaggingSize = 1, BaggingExampleFraction = 0.8 };
        ILearner[] learners = [new GradientBoostingLearner(Weak, "weak"), new GradientBoostingLearner(bagged with { Seed = 1 }, "a"), new GradientBoostingLearner(bagged with { Seed = 2 }, "b")];

        var full = await new CandidateSelection(LearningTask.MulticlassClassification, threads: 2).SelectAsync(learners, data, splits);
        var raced = await new CandidateSelection(LearningTask.MulticlassClassification, threads: 2) { RacingStandardErrors = CandidateSelection.StandardRacingMargin }
            .SelectAsync(learners, data, splits);

        Assert.NotNull(raced.Candidates[0].Stopped);
        Assert.All(raced.Candidates.Skip(1), c => Assert.Null(c.Stopped));
        Assert.Equal(full.Best, raced.Best);
        Assert.Equal(full.Winner.OutOfFold, raced.Winner.OutOfFold);
        Assert.Equal(full.Winner.Classification!.WeightedF1, raced.Winner.Classification!.WeightedF1);
    }

    [Fact]
    public async Task After_the_first_folds_the_slowest_candidates_folds_start_first_and_every_fold_is_fitted_as_in_grid_order()
    {
        // The same booster twice (never stopped: their predictions are identical); the second takes far longer per fit.
        var data = SyntheticData.Regression(400, seed: 5);
        var splits = CrossValidation.KFold(data.Rows, 5, seed: 2);
        var order = new List<string>();
        var booster = new GradientBoostingLearner(Strong, "booster");
        ILearner[] learners = [new RecordingLearner(booster, "quick", order, pause: TimeSpan.Zero), new RecordingLearner(booster, "slow", order, pause: TimeSpan.FromMilliseconds(300))];
        var announced = new List<int>();

        // One thread: the folds start in the order of the work list.
        var result = await new CandidateSelection(LearningTask.Regression, threads: 1) { RacingStandardErrors = CandidateSelection.StandardRacingMargin }
            .SelectAsync(learners, data, splits, (i, _) =>
            {
                announced.Add(i);
                return Task.CompletedTask;
            });

        Assert.Equal([0, 1], announced);
        Assert.Equal(["quick", "slow", "slow", "quick", "slow", "slow", "slow", "quick", "quick", "quick"], order);
        Assert.All(result.Candidates, c => Assert.Null(c.Stopped));
        Assert.All(result.Candidates, c => Assert.All(c.Predicted, Assert.True));
        var full = await new CandidateSelection(LearningTask.Regression, threads: 1).SelectAsync([booster], data, splits);
        Assert.All(result.Candidates, c => Assert.Equal(full.Winner.OutOfFold, c.OutOfFold));
    }

    [Fact]
    public void Another_library_wins_only_when_better_than_the_first_library_by_more_than_one_standard_error()
    {
        var labels = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        ILearner engine = new GradientBoostingLearner(Strong, "engine");
        ILearner other = new MLNetLearner(new MLNetTreeOptions(), "fasttree");
        CrossValidatedCandidate Candidate(ILearner learner, Func<int, double> error)
        {
            var predictions = labels.Select((y, i) => y + error(i)).ToArray();
            return new(learner, predictions, labels.Select(_ => true).ToArray(), new Dictionary<string, MetricSummary>(), RegressionMetrics.Compute(predictions, labels), null, 0);
        }

        var first = Candidate(engine, _ => 1.0);

        // A near tie: RMSE 0.99 against 1.0, the paired difference well within one standard error.
        var close = Candidate(other, i => i % 2 == 0 ? 0 : 1.4);
        Assert.Equal(1, CandidateSelection.Best([first, close]));
        Assert.Equal(0, CandidateSelection.Choose([first, close], labels));

        // Clearly better on every row: the other library wins.
        var better = Candidate(other, _ => 0.5);
        Assert.Equal(1, CandidateSelection.Choose([first, better], labels));

        // Within one library the plain rule decides.
        var sameLibrary = Candidate(new GradientBoostingLearner(Weak, "engine-2"), i => i % 2 == 0 ? 0 : 1.4);
        Assert.Equal(1, CandidateSelection.Choose([first, sameLibrary], labels));
    }

    [Fact]
    public void A_candidate_racing_stopped_is_never_chosen_even_with_a_better_partial_score()
    {
        var learner = new GradientBoostingLearner(Weak);
        var stopped = new CrossValidatedCandidate(learner, [], [], new Dictionary<string, MetricSummary>(), new RegressionMetrics(1, 1, 0), null, 0, "stopped after 1 of 5 folds: clearly worse than x");
        var complete = new CrossValidatedCandidate(learner, [], [], new Dictionary<string, MetricSummary>(), new RegressionMetrics(2, 2, 0), null, 0);
        Assert.Equal(1, CandidateSelection.Best([stopped, complete]));
    }

    /// <summary>A real learner that notes each fit's start under its own name, and pauses before fitting.</summary>
    private sealed class RecordingLearner(ILearner inner, string name, List<string> order, TimeSpan pause) : ILearner
    {
        public string Name => name;

        public string Algorithm => inner.Algorithm;

        public string Library => inner.Library;

        public object Settings => inner.Settings;

        public string DescribeSettings() => inner.DescribeSettings();

        public IModel Fit(LearningTask task, TrainingSet train, int threads)
        {
            lock (order)
            {
                order.Add(name);
            }

            Thread.Sleep(pause);
            return inner.Fit(task, train, threads);
        }
    }
}
