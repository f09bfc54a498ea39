using StudyRecs.Learning.Data;
using StudyRecs.Learning.Objectives;
using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Boosting;

/// <summary>
/// Gradient-boosted decision trees (LightGBM/XGBoost "hist" design with FastTree's options): each
/// round the objective turns current scores into gradients and hessians, the leaf-wise learner
/// fits a tree to them (one per class for multiclass), and the shrunk tree is added to the scores.
/// </summary>
public sealed class GradientBoostingTrainer
{
    private readonly GradientBoostingOptions _options;

    /// <summary>Creates a trainer; options are checked here.</summary>
    public GradientBoostingTrainer(GradientBoostingOptions? options = null)
    {
        _options = options ?? new GradientBoostingOptions();
        _options.Validate();
    }

    /// <summary>The trainer's options.</summary>
    public GradientBoostingOptions Options => _options;

    /// <summary>
    /// Trains a model. With a validation set and <see cref="GradientBoostingOptions.EarlyStoppingRounds"/>
    /// above zero, training stops once the validation metric (RMSE, log loss, or NDCG@k for ranking)
    /// has not improved for that many rounds, and the model keeps the best round.
    /// </summary>
    /// <exception cref="ArgumentException">Labels do not fit the task, or the data is empty.</exception>
    public TreeEnsembleModel Fit(LearningTask task, TrainingSet train, TrainingSet? validation = null)
    {
        var outputs = TrainingInput.OutputCount(task, train);
        if (validation is not null)
        {
            if (validation.Features.Columns != train.Features.Columns)
            {
                throw new ArgumentException("The validation set must have the training set's columns.", nameof(validation));
            }

            TrainingInput.OutputCount(task, new TrainingSet(validation.Features, validation.Labels, validation.Groups) { ClassCount = task == LearningTask.MulticlassClassification ? outputs : null });
        }

        var o = _options;
        var parallel = TrainingInput.Parallelism(o.NumberOfThreads);
        var data = BinnedDataset.Create(train.Features, o.MaximumBinCountPerFeature, parallel);
        IObjective objective = task switch
        {
            LearningTask.Regression => new SquaredErrorObjective(train.Labels),
            LearningTask.BinaryClassification => new LogLossObjective(train.Labels),
            LearningTask.MulticlassClassification => new SoftmaxObjective(train.Labels, outputs),
            _ => new LambdaRankObjective(train.Labels, train.Groups!, o.NdcgTruncationLevel),
        };

        var n = train.Rows;
        var initial = objective.InitialScores();
        var scores = new double[n * outputs];
        for (var k = 0; k < outputs; k++)
        {
            scores.AsSpan(k * n, n).Fill(initial[k]);
        }

        var gradients = new float[n * outputs];
        var hessians = new float[n * outputs];
        var learner = new LeafWiseTreeLearner(data, new TreeLearnerOptions(
            o.NumberOfLeaves, o.MinimumExampleCountPerLeaf, o.MinimumHessianPerLeaf, o.L2Regularization, o.MinimumSplitGain, o.MaximumTreeOutput, parallel.MaxDegreeOfParallelism));
        var random = new Random(o.Seed);
        var trees = new List<RegressionTree>(o.NumberOfTrees * outputs);
        var monitor = validation is null ? null : new ValidationMonitor(task, validation, initial, o.NdcgTruncationLevel, parallel);
        int[]? bag = null;
        bool[]? inBag = null;
        var bestRound = -1;
        var bestMetric = double.PositiveInfinity;
        for (var round = 0; round < o.NumberOfTrees; round++)
        {
            objective.ComputeGradients(scores, gradients, hessians, parallel);
            if (o.BaggingSize > 0 && round % o.BaggingSize == 0)
            {
                (bag, inBag) = TrainingInput.DrawBag(n, o.BaggingExampleFraction, random);
            }

            var featureMask = TrainingInput.SampleMask(data.FeatureCount, o.FeatureFraction, random);
            for (var k = 0; k < outputs; k++)
            {
                var tree = learner.Grow(gradients, hessians, k * n, bag, featureMask, objective.ConstantHessian);
                tree.Scale(o.LearningRate);
                learner.AddToScores(tree, scores, k * n, inBag);
                trees.Add(tree);
                monitor?.Add(tree, k);
            }

            if (monitor is not null)
            {
                var metric = monitor.Loss();
                if (metric < bestMetric - 1e-12)
                {
                    bestMetric = metric;
                    bestRound = round;
                }
                else if (o.EarlyStoppingRounds > 0 && round - bestRound >= o.EarlyStoppingRounds)
                {
                    break;
                }
            }
        }

        if (monitor is not null && o.EarlyStoppingRounds > 0 && bestRound >= 0)
        {
            trees.RemoveRange((bestRound + 1) * outputs, trees.Count - ((bestRound + 1) * outputs));
        }

        var transform = task switch
        {
            LearningTask.BinaryClassification => OutputTransform.Sigmoid,
            LearningTask.MulticlassClassification => OutputTransform.Softmax,
            _ => OutputTransform.Identity,
        };
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["training_rows"] = GradientBoostingOptions.Text(n),
        };
        if (monitor is not null)
        {
            metadata["best_round"] = GradientBoostingOptions.Text(bestRound + 1);
        }

        return new TreeEnsembleModel(task, "gbdt", transform, initial, [.. trees], data.Bins, TrainingInput.FeatureNames(train), TrainingInput.ClassLabels(train), null, o.ToDictionary(), metadata);
    }
}
