using System.Text.Json;
using StudyRecs.Learning;
using StudyRecs.Learning.Boosting;

namespace StudyRecs.Core.Training;

/// <summary>One learner of the grid a training run cross-validates, with what the registry stores of it.</summary>
internal sealed record TrainingCandidate(ILearner Learner)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Algorithm => Learner.Algorithm;

    /// <summary>Short name for logs and pages, e.g. "gbdt leaves=20 lr=0.2 trees=100".</summary>
    public string Name => Learner.Name;

    /// <summary>The candidate's name, algorithm and full trainer settings.</summary>
    public string SettingsJson => JsonSerializer.Serialize(new { Candidate = Name, Algorithm, Settings = Learner.Settings }, Json);

    /// <summary>
    /// The grid per task, small enough that a few thousand rows cross-validate in seconds on two cores: a shallow,
    /// slowly learning booster; FastTree's default booster with fewer rounds; a forest of moderately deep trees.
    /// Classification grows one tree per grade per round, so its boosters use fewer rounds.
    /// </summary>
    public static IReadOnlyList<TrainingCandidate> Grid(ModelTask task, int seed)
    {
        var classification = task == ModelTask.Classification;
        return
        [
            new(new GradientBoostingLearner(new GradientBoostingOptions
            {
                NumberOfLeaves = 8, LearningRate = 0.1, NumberOfTrees = classification ? 60 : 150, MinimumExampleCountPerLeaf = 10,
                FeatureFraction = 0.8, BaggingSize = 1, BaggingExampleFraction = 0.8, L2Regularization = 1, Seed = seed,
            })),
            new(new GradientBoostingLearner(new GradientBoostingOptions
            {
                NumberOfLeaves = 20, LearningRate = 0.2, NumberOfTrees = classification ? 25 : 60, MinimumExampleCountPerLeaf = 20, Seed = seed,
            })),
            new(new RandomForestLearner(new RandomForestOptions
            {
                NumberOfLeaves = 32, NumberOfTrees = classification ? 40 : 100, MinimumExampleCountPerLeaf = 5,
                FeatureFractionPerSplit = classification ? 0.3 : 0.5, BaggingExampleFraction = 0.632, Seed = seed,
            })),
        ];
    }
}
