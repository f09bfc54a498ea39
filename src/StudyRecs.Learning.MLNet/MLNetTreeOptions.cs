using System.Globalization;

namespace StudyRecs.Learning.MLNet;

/// <summary>ML.NET's tree trainers a <see cref="MLNetLearner"/> can run.</summary>
public enum MLNetTrainer
{
    /// <summary>FastTree (MART gradient boosting); multiclass by one-versus-all.</summary>
    FastTree,

    /// <summary>FastForest (random forest); multiclass by one-versus-all.</summary>
    FastForest,

    /// <summary>LightGBM through ML.NET, with its own multiclass objective.</summary>
    LightGbm,
}

/// <summary>The settings of one ML.NET tree trainer: the small grid the portal and `learn` search tune these.</summary>
public sealed record MLNetTreeOptions
{
    /// <summary>The trainer.</summary>
    public MLNetTrainer Trainer { get; init; } = MLNetTrainer.FastTree;

    /// <summary>Maximum leaves per tree.</summary>
    public int NumberOfLeaves { get; init; } = 20;

    /// <summary>Trees (boosting rounds; trees of the forest).</summary>
    public int NumberOfTrees { get; init; } = 100;

    /// <summary>Shrinkage of boosting (FastForest has none and ignores it).</summary>
    public double LearningRate { get; init; } = 0.2;

    /// <summary>Fewest training rows per leaf.</summary>
    public int MinimumExampleCountPerLeaf { get; init; } = 10;

    /// <summary>Seed of ML.NET's random choices (the context's and the trainer's).</summary>
    public int Seed { get; init; }

    /// <summary>The algorithm name: "fasttree", "fastforest" or "lightgbm".</summary>
    public string Algorithm => Trainer switch
    {
        MLNetTrainer.FastTree => "fasttree",
        MLNetTrainer.FastForest => "fastforest",
        _ => "lightgbm",
    };

    internal void Validate()
    {
        if (NumberOfLeaves < 2 || NumberOfTrees < 1 || MinimumExampleCountPerLeaf < 1 || !(LearningRate > 0) || !Enum.IsDefined(Trainer))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Invalid ML.NET tree settings: leaves {NumberOfLeaves} (≥ 2), trees {NumberOfTrees} (≥ 1), min leaf {MinimumExampleCountPerLeaf} (≥ 1), learning rate {LearningRate} (> 0)."));
        }
    }
}
