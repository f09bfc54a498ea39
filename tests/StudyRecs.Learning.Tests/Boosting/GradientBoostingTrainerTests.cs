using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;
using StudyRecs.Learning.Objectives;

namespace StudyRecs.Learning.Tests.Boosting;

public class GradientBoostingTrainerTests
{
    [Fact]
    public void Defaults_are_FastTree_defaults()
    {
        var o = new GradientBoostingOptions();
        Assert.Equal(100, o.NumberOfTrees);
        Assert.Equal(20, o.NumberOfLeaves);
        Assert.Equal(10, o.MinimumExampleCountPerLeaf);
        Assert.Equal(0.2, o.LearningRate);
        Assert.Equal(255, o.MaximumBinCountPerFeature);
        Assert.Equal(1.0, o.FeatureFraction);
    }

    [Fact]
    public void Regression_fits_a_known_nonlinear_function()
    {
        var train = SyntheticData.Regression(4000, seed: 1);
        var test = SyntheticData.Regression(1000, seed: 2);
        var model = new GradientBoostingTrainer().Fit(LearningTask.Regression, train);
        var metrics = RegressionMetrics.Compute(model.PredictBatch(test.Features), test.Labels);
        Assert.True(metrics.R2 > 0.9, $"R² {metrics.R2}");
        Assert.Equal(100, model.IterationCount);
        Assert.All(model.Trees, t => Assert.True(t.LeafCount <= 20));
    }

    [Fact]
    public void Trees_respect_the_minimum_examples_per_leaf()
    {
        var train = SyntheticData.Regression(500, seed: 4);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 5, MinimumExampleCountPerLeaf = 40 }).Fit(LearningTask.Regression, train);
        Assert.All(model.Trees, t => Assert.All(t.LeafCovers, c => Assert.True(c >= 40)));
    }

    [Fact]
    public void Binary_classifier_separates_classes_and_gives_probabilities()
    {
        var train = SyntheticData.Binary(4000, seed: 5);
        var test = SyntheticData.Binary(1000, seed: 6);
        var model = new GradientBoostingTrainer().Fit(LearningTask.BinaryClassification, train);
        var probabilities = model.PredictProbabilitiesBatch(test.Features);
        var metrics = ClassificationMetrics.Compute(probabilities, test.Labels, 2);
        Assert.True(metrics.Accuracy > 0.85, $"accuracy {metrics.Accuracy}");
        Assert.Equal(probabilities[1], model.Predict(test.Features.Row(0)), 12);
        Assert.Equal(1.0, probabilities[0] + probabilities[1], 12);
    }

    [Fact]
    public void Multiclass_grows_one_tree_per_class_per_round()
    {
        var train = SyntheticData.Multiclass(3000, seed: 7);
        var test = SyntheticData.Multiclass(1000, seed: 8);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 50 }).Fit(LearningTask.MulticlassClassification, train);
        Assert.Equal(150, model.TreeCount);
        Assert.Equal(3, model.ClassCount);
        var metrics = ClassificationMetrics.Compute(model.PredictProbabilitiesBatch(test.Features), test.Labels, 3);
        Assert.True(metrics.Accuracy > 0.75, $"accuracy {metrics.Accuracy}");
        var predicted = model.PredictBatch(test.Features);
        Assert.All(predicted, p => Assert.InRange(p, 0, 2));
    }

    [Fact]
    public void Splits_learn_which_side_missing_values_belong_to()
    {
        // Missing x0 behaves like a large x0: the split must send NaN to the high side.
        var random = new Random(11);
        var rows = 2000;
        var x = new DenseMatrix(rows, 2);
        var y = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            var v = (float)random.NextDouble();
            var missing = random.NextDouble() < 0.2;
            x[i, 0] = missing ? float.NaN : v;
            x[i, 1] = (float)random.NextDouble();
            y[i] = missing || v > 0.5 ? 10 : 0;
        }

        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 20 }).Fit(LearningTask.Regression, new TrainingSet(x, y));
        Assert.True(model.Predict([float.NaN, 0.5f]) > 9);
        Assert.True(model.Predict([0.1f, 0.5f]) < 1);
        Assert.True(model.Predict([0.9f, 0.5f]) > 9);
    }

    [Fact]
    public void Same_data_options_and_seed_give_the_same_model_bytes_whatever_the_thread_count()
    {
        // Large enough for the multi-threaded partition and histogram paths.
        var train = SyntheticData.Regression(70_000, seed: 12);
        var options = new GradientBoostingOptions { NumberOfTrees = 10, BaggingSize = 1, FeatureFraction = 0.8, Seed = 3 };
        var one = new GradientBoostingTrainer(options with { NumberOfThreads = 1 }).Fit(LearningTask.Regression, train).ToBytes();
        var two = new GradientBoostingTrainer(options with { NumberOfThreads = 2 }).Fit(LearningTask.Regression, train).ToBytes();
        var again = new GradientBoostingTrainer(options with { NumberOfThreads = 2 }).Fit(LearningTask.Regression, train).ToBytes();
        Assert.Equal(one, two);
        Assert.Equal(two, again);
        var otherSeed = new GradientBoostingTrainer(options with { Seed = 4 }).Fit(LearningTask.Regression, train).ToBytes();
        Assert.NotEqual(one, otherSeed);
    }

    [Fact]
    public void Early_stopping_keeps_the_best_round_on_validation_data()
    {
        var train = SyntheticData.Regression(600, seed: 13, noise: 2.0);
        var validation = SyntheticData.Regression(600, seed: 14, noise: 2.0);
        var options = new GradientBoostingOptions { NumberOfTrees = 500, LearningRate = 0.5, MinimumExampleCountPerLeaf = 2, EarlyStoppingRounds = 10 };
        var model = new GradientBoostingTrainer(options).Fit(LearningTask.Regression, train, validation);
        Assert.True(model.IterationCount < 100, $"kept {model.IterationCount} rounds");
        Assert.Equal(model.Metadata["best_round"], model.IterationCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var full = new GradientBoostingTrainer(options with { EarlyStoppingRounds = 0, NumberOfTrees = 200 }).Fit(LearningTask.Regression, train);
        var stopped = RegressionMetrics.Compute(model.PredictBatch(validation.Features), validation.Labels).Rmse;
        var overfit = RegressionMetrics.Compute(full.PredictBatch(validation.Features), validation.Labels).Rmse;
        Assert.True(stopped < overfit, $"early-stopped RMSE {stopped} vs {overfit}");
    }

    [Fact]
    public void Lambdamart_ranks_held_out_queries_better_than_chance()
    {
        var train = SyntheticData.Ranking(200, seed: 15);
        var test = SyntheticData.Ranking(50, seed: 16);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 30, NdcgTruncationLevel = 5 }).Fit(LearningTask.Ranking, train);
        var scores = model.PredictBatch(test.Features);
        var bounds = QueryGroups.Bounds(test.Groups!);
        var learned = QueryGroups.MeanNdcg(scores, test.Labels, bounds, 5);
        var random = new Random(1);
        var chance = QueryGroups.MeanNdcg(scores.Select(_ => random.NextDouble()).ToArray(), test.Labels, bounds, 5);
        Assert.True(learned > 0.9, $"NDCG@5 {learned}");
        Assert.True(learned > chance + 0.2, $"NDCG@5 {learned} vs chance {chance}");
    }

    [Fact]
    public void Ndcg_of_a_perfect_ordering_is_one_and_of_a_reversed_ordering_is_lower()
    {
        float[] labels = [3, 2, 1, 0];
        int[] bounds = [0, 4];
        Assert.Equal(1.0, QueryGroups.MeanNdcg([4.0, 3, 2, 1], labels, bounds, 4), 12);
        // Reversed: DCG = 1/log2(3) + 3/log2(4) + 7/log2(5); ideal = 7 + 3/log2(3) + 1/2.
        var expected = ((1 / Math.Log2(3)) + (3 / 2.0) + (7 / Math.Log2(5))) / (7 + (3 / Math.Log2(3)) + 0.5);
        Assert.Equal(expected, QueryGroups.MeanNdcg([1.0, 2, 3, 4], labels, bounds, 4), 12);
    }

    [Fact]
    public void Rejects_labels_that_do_not_fit_the_task()
    {
        var x = new DenseMatrix(4, 1);
        var trainer = new GradientBoostingTrainer();
        Assert.Throws<ArgumentException>(() => trainer.Fit(LearningTask.BinaryClassification, new TrainingSet(x, [0, 1, 2, 1])));
        Assert.Throws<ArgumentException>(() => trainer.Fit(LearningTask.BinaryClassification, new TrainingSet(x, [1, 1, 1, 1])));
        Assert.Throws<ArgumentException>(() => trainer.Fit(LearningTask.MulticlassClassification, new TrainingSet(x, [0, 1.5f, 2, 1])));
        Assert.Throws<ArgumentException>(() => trainer.Fit(LearningTask.Ranking, new TrainingSet(x, [0, 1, 2, 1])));
        Assert.Throws<ArgumentException>(() => trainer.Fit(LearningTask.Ranking, new TrainingSet(x, [0, 1, 2, 1], [1, 2, 1, 2])));
        Assert.Throws<ArgumentException>(() => new GradientBoostingTrainer(new() { NumberOfLeaves = 1 }));
    }

    [Fact]
    public void Single_row_prediction_does_not_allocate()
    {
        var train = SyntheticData.Multiclass(500, seed: 17);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 10 }).Fit(LearningTask.MulticlassClassification, train);
        var row = train.Features.Row(3).ToArray();
        Span<double> probabilities = stackalloc double[3];
        model.Predict(row);
        model.PredictProbabilities(row, probabilities);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            model.Predict(row);
            model.PredictProbabilities(row, probabilities);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
