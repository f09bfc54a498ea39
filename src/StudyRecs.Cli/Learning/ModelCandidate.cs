using System.Globalization;
using StudyRecs.Learning;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;

namespace StudyRecs.Cli.Learning;

/// <summary>One learner configuration `learn` can train: boosting or forest with its settings.</summary>
internal sealed record ModelCandidate(string Name, GradientBoostingOptions? Boosting, RandomForestOptions? Forest)
{
    public string Algorithm => Boosting is not null ? "gbdt" : "forest";

    public TreeEnsembleModel Fit(LearningTask task, TrainingSet train, int threads) => Boosting is not null
        ? new GradientBoostingTrainer(Boosting with { NumberOfThreads = threads }).Fit(task, train)
        : new RandomForestTrainer(Forest! with { NumberOfThreads = threads }).Fit(task, train);

    public static ModelCandidate Gbdt(LearnSettings s) => new("gbdt", new GradientBoostingOptions
    {
        NumberOfTrees = s.Trees,
        NumberOfLeaves = s.Leaves,
        LearningRate = s.LearningRate,
        MinimumExampleCountPerLeaf = s.MinLeaf,
        MaximumBinCountPerFeature = s.MaxBins,
        Seed = s.Seed,
    }, null);

    /// <summary>FastForest-style forest from the command-line settings (learning rate unused).</summary>
    public static ModelCandidate RandomForest(LearnSettings s) => new("forest", null, new RandomForestOptions
    {
        NumberOfTrees = s.Trees,
        NumberOfLeaves = s.Leaves,
        MinimumExampleCountPerLeaf = s.MinLeaf,
        MaximumBinCountPerFeature = s.MaxBins,
        Seed = s.Seed,
    });

    /// <summary>
    /// The grid `--algorithm auto` chooses from: the command-line booster, a slower regularised
    /// booster, a booster of small trees for small data (each tree on half the features and a
    /// fresh 80 % of the rows: stochastic gradient boosting, which decorrelates the trees), and a deep forest.
    /// </summary>
    public static IReadOnlyList<ModelCandidate> Grid(LearnSettings s, int rows, int features, int classes, LearningTask task)
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
        var grid = new List<ModelCandidate>
        {
            Gbdt(s),
            new("gbdt-slow", new GradientBoostingOptions
            {
                NumberOfTrees = slowRounds, LearningRate = Math.Min(0.2, 15.0 / slowRounds), NumberOfLeaves = 16, MinimumExampleCountPerLeaf = 3,
                FeatureFraction = 0.8, BaggingSize = 1, BaggingExampleFraction = 0.8, MaximumBinCountPerFeature = bins, Seed = s.Seed,
            }, null),
            new("forest-deep", null, new RandomForestOptions
            {
                NumberOfTrees = forestRounds, NumberOfLeaves = forestLeaves, MinimumExampleCountPerLeaf = task == LearningTask.Regression ? 2 : 1,
                FeatureFractionPerSplit = perSplit, BaggingExampleFraction = 0.632, MaximumBinCountPerFeature = bins, Seed = s.Seed,
            }),
        };
        if (!large)
        {
            grid.Add(new("gbdt-small-trees", new GradientBoostingOptions
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
            }, null));
        }

        return grid;
    }

    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        return Boosting is { } b
            ? string.Create(c, $"{Name} (trees {b.NumberOfTrees}, leaves {b.NumberOfLeaves}, learning rate {b.LearningRate}, min leaf {b.MinimumExampleCountPerLeaf})")
            : string.Create(c, $"{Name} (trees {Forest!.NumberOfTrees}, leaves {Forest.NumberOfLeaves}, min leaf {Forest.MinimumExampleCountPerLeaf}, split features {Forest.FeatureFractionPerSplit:0.##})");
    }
}
