using StudyRecs.Learning.Data;
using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Boosting;

/// <summary>
/// Random forest (FastForest's role) on the same leaf-wise learner as boosting: every tree fits
/// the targets (class indicators for classification) on a random bag of rows, choosing each split
/// among a random subset of features; the forest averages the trees. Classification outputs are
/// class frequencies, turned into probabilities by clipping and normalising.
/// </summary>
public sealed class RandomForestTrainer
{
    private readonly RandomForestOptions _options;

    /// <summary>Creates a trainer; options are checked here.</summary>
    public RandomForestTrainer(RandomForestOptions? options = null)
    {
        _options = options ?? new RandomForestOptions();
        _options.Validate();
    }

    /// <summary>The trainer's options.</summary>
    public RandomForestOptions Options => _options;

    /// <summary>Trains a forest for regression, binary or multiclass classification.</summary>
    /// <exception cref="ArgumentException">Labels do not fit the task, the data is empty, or the task is ranking.</exception>
    public TreeEnsembleModel Fit(LearningTask task, TrainingSet train)
    {
        if (task == LearningTask.Ranking)
        {
            throw new ArgumentException("Random forests support regression and classification, not ranking.", nameof(task));
        }

        var outputs = TrainingInput.OutputCount(task, train);
        var o = _options;
        var parallel = TrainingInput.Parallelism(o.NumberOfThreads);
        var data = BinnedDataset.Create(train.Features, o.MaximumBinCountPerFeature, parallel);
        var n = train.Rows;

        // Each output fits its target around a constant start; h = 1 makes a leaf the mean target.
        var initial = new double[outputs];
        var gradients = new float[n * outputs];
        var hessians = new float[n * outputs];
        hessians.AsSpan().Fill(1f);
        for (var k = 0; k < outputs; k++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += Target(task, train.Labels[i], k);
            }

            initial[k] = sum / n;
            for (var i = 0; i < n; i++)
            {
                gradients[(k * n) + i] = (float)(initial[k] - Target(task, train.Labels[i], k));
            }
        }

        var learner = new LeafWiseTreeLearner(data, new TreeLearnerOptions(
            o.NumberOfLeaves, o.MinimumExampleCountPerLeaf, 0, 0, 0, double.MaxValue, parallel.MaxDegreeOfParallelism, o.FeatureFractionPerSplit, o.Seed));
        var random = new Random(o.Seed);
        var trees = new RegressionTree[o.NumberOfTrees * outputs];
        for (var round = 0; round < o.NumberOfTrees; round++)
        {
            var (bag, _) = TrainingInput.DrawBag(n, o.BaggingExampleFraction, random);
            var featureMask = TrainingInput.SampleMask(data.FeatureCount, o.FeatureFraction, random);
            for (var k = 0; k < outputs; k++)
            {
                var tree = learner.Grow(gradients, hessians, k * n, bag, featureMask, constantHessian: true);
                tree.Scale(1.0 / o.NumberOfTrees);
                trees[(round * outputs) + k] = tree;
            }
        }

        var transform = task == LearningTask.Regression ? OutputTransform.Identity : OutputTransform.AveragedProbability;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["training_rows"] = GradientBoostingOptions.Text(n) };
        return new TreeEnsembleModel(task, "forest", transform, initial, trees, data.Bins, TrainingInput.FeatureNames(train), TrainingInput.ClassLabels(train), null, o.ToDictionary(), metadata);
    }

    private static double Target(LearningTask task, float label, int output) => task switch
    {
        LearningTask.Regression => label,
        LearningTask.BinaryClassification => label,
        _ => (int)label == output ? 1 : 0,
    };
}
