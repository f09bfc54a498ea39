using StudyRecs.Learning;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.MLNet;

namespace StudyRecs.Cli.Learning;

/// <summary>The learners `learn` can train: one per `--algorithm`, and the grid `auto` chooses from.</summary>
internal static class LearnCandidates
{
    /// <summary>The values of `--algorithm`.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["gbdt", "forest", "fasttree", "fastforest", "lightgbm", "auto"];

    /// <summary>The learner of one `--algorithm` other than auto.</summary>
    public static ILearner ForAlgorithm(LearnSettings s) => s.Algorithm switch
    {
        "forest" => RandomForest(s),
        "fasttree" => MLNet(s, MLNetTrainer.FastTree),
        "fastforest" => MLNet(s, MLNetTrainer.FastForest),
        "lightgbm" => MLNet(s, MLNetTrainer.LightGbm),
        _ => Gbdt(s),
    };

    /// <summary>An ML.NET trainer with the command-line settings (FastForest ignores the learning rate).</summary>
    public static ILearner MLNet(LearnSettings s, MLNetTrainer trainer)
    {
        var options = new MLNetTreeOptions
        {
            Trainer = trainer,
            NumberOfTrees = s.Trees,
            NumberOfLeaves = s.Leaves,
            LearningRate = s.LearningRate,
            MinimumExampleCountPerLeaf = s.MinLeaf,
            Seed = s.Seed,
        };
        return new MLNetLearner(options, options.Algorithm);
    }

    public static ILearner Gbdt(LearnSettings s) => new GradientBoostingLearner(new GradientBoostingOptions
    {
        NumberOfTrees = s.Trees,
        NumberOfLeaves = s.Leaves,
        LearningRate = s.LearningRate,
        MinimumExampleCountPerLeaf = s.MinLeaf,
        MaximumBinCountPerFeature = s.MaxBins,
        Seed = s.Seed,
    }, "gbdt");

    /// <summary>FastForest-style forest from the command-line settings (learning rate unused).</summary>
    public static ILearner RandomForest(LearnSettings s) => new RandomForestLearner(new RandomForestOptions
    {
        NumberOfTrees = s.Trees,
        NumberOfLeaves = s.Leaves,
        MinimumExampleCountPerLeaf = s.MinLeaf,
        MaximumBinCountPerFeature = s.MaxBins,
        Seed = s.Seed,
    }, "forest");

    /// <summary>
    /// The grid `--algorithm auto` chooses from: the command-line booster, a slower regularised
    /// booster, a booster of small trees for small data (each tree on half the features and a
    /// fresh 80 % of the rows: stochastic gradient boosting, which decorrelates the trees), and a deep forest;
    /// and ML.NET's FastTree, FastForest and LightGbm with the command-line settings.
    /// </summary>
    public static IReadOnlyList<ILearner> Grid(LearnSettings s, int rows, int features, int classes, LearningTask task)
    {
        var bins = s.MaxBins;
        var perSplit = task == LearningTask.Regression ? 0.5 : Math.Clamp(Math.Sqrt(features) / features, 0.05, 1);
        var large = rows > 200_000;

        // Multiclass grows one tree per class and round: fewer rounds (with a proportionally larger
        // learning rate) keep the search affordable.
        var outputs = task == LearningTask.MulticlassClassification ? classes : 1;
        var slowRounds = Math.Max(100, (large ? 200 : 300) / Math.Max(1, outputs / 2));
        var forestRounds = Math.Max(50, (large ? 100 : 300) / outputs);
        var forestLeaves = Math.Clamp(rows / 2, 2, outputs > 2 ? 256 : 1024);
        var grid = new List<ILearner>
        {
            Gbdt(s),
            new GradientBoostingLearner(new GradientBoostingOptions
            {
                NumberOfTrees = slowRounds, LearningRate = Math.Min(0.2, 15.0 / slowRounds), NumberOfLeaves = 16, MinimumExampleCountPerLeaf = 3,
                FeatureFraction = 0.8, BaggingSize = 1, BaggingExampleFraction = 0.8, MaximumBinCountPerFeature = bins, Seed = s.Seed,
            }, "gbdt-slow"),
            new RandomForestLearner(new RandomForestOptions
            {
                NumberOfTrees = forestRounds, NumberOfLeaves = forestLeaves, MinimumExampleCountPerLeaf = task == LearningTask.Regression ? 2 : 1,
                FeatureFractionPerSplit = perSplit, BaggingExampleFraction = 0.632, MaximumBinCountPerFeature = bins, Seed = s.Seed,
            }, "forest-deep"),
        };
        if (!large)
        {
            grid.Add(new GradientBoostingLearner(new GradientBoostingOptions
            {
                NumberOfTrees = slowRounds,
                LearningRate = Math.Min(0.3, 30.0 / slowRounds),
                NumberOfLeaves = 6,
                MinimumExampleCountPerLeaf = 3,
                FeatureFraction = 0.5,
                BaggingSize = 1,
                BaggingExampleFraction = 0.8,
                MaximumBinCountPerFeature = bins,
                Seed = s.Seed,
            }, "gbdt-small-trees"));
        }

        var oneVersusAll = OneVersusAllSettings(s, outputs);
        grid.AddRange([MLNet(oneVersusAll, MLNetTrainer.FastTree), MLNet(oneVersusAll, MLNetTrainer.FastForest), MLNet(s, MLNetTrainer.LightGbm)]);
        return grid;
    }

    /// <summary>
    /// The command-line settings for ML.NET's one-versus-all candidates in `auto` (FastTree, FastForest: a binary model per
    /// class, each converting and binning the rows again, each ML.NET tree costing several of the engine's). With many
    /// classes the rounds become 5 × trees / classes (at least 25, at most the command line's: 50 for 10 classes,
    /// unchanged up to 5 classes), and the learning rate grows in proportion (at most 0.5). On digits (10 classes, 5-fold
    /// CV) FastTree's 50 rounds at rate 0.4 were as accurate as 100 at 0.2 (0.9794 against 0.9805, log loss 0.110 against
    /// 0.113) in 0.58 of the CPU time (bench/RESULTS.md, issue 14). LightGbm's own multiclass objective is cheap and keeps
    /// the command line's settings.
    /// </summary>
    public static LearnSettings OneVersusAllSettings(LearnSettings s, int outputs)
    {
        var rounds = outputs > 2 ? Math.Min(s.Trees, Math.Max(25, s.Trees * 5 / outputs)) : s.Trees;
        return rounds == s.Trees ? s : s with { Trees = rounds, LearningRate = Math.Min(0.5, Math.Max(s.LearningRate, s.LearningRate * s.Trees / rounds)) };
    }

    /// <summary>The learner as `learn` reports it, e.g. "gbdt-slow (trees 300, leaves 16, learning rate 0.05, min leaf 3)".</summary>
    public static string Describe(ILearner learner) => $"{learner.Name} ({learner.DescribeSettings()})";
}
