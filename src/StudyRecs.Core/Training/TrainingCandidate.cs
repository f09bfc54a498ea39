using System.Text.Json;
using Microsoft.Extensions.Logging;
using StudyRecs.Learning;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.MLNet;

namespace StudyRecs.Core.Training;

/// <summary>One learner of the grid a training run cross-validates, with what the registry stores of it.</summary>
internal sealed record TrainingCandidate(ILearner Learner)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The libraries a grid can draw from, in grid order.</summary>
    public static readonly IReadOnlyList<string> KnownLibraries = [EngineInfo.Library, MLNetLearner.LibraryName];

    public string Algorithm => Learner.Algorithm;

    public string Library => Learner.Library;

    /// <summary>Short name for logs and pages, e.g. "gbdt leaves=20 lr=0.2 trees=100".</summary>
    public string Name => Learner.Name;

    /// <summary>The candidate's name, algorithm and full trainer settings.</summary>
    public string SettingsJson => JsonSerializer.Serialize(new { Candidate = Name, Algorithm, Library, Settings = Learner.Settings }, Json);

    /// <summary>
    /// The grid per task, small enough that a few thousand rows cross-validate in seconds on two cores (the candidates
    /// race over the folds: see <see cref="CrossValidatedTrainer"/>). The engine's: a shallow, slowly learning booster;
    /// FastTree's default booster with fewer rounds; a forest of moderately deep trees. ML.NET's gets the same shapes
    /// where they pay: FastTree with a booster shape of the engine's, FastForest with the forest's (regression),
    /// LightGbm between the two boosters. Classification grows one tree per grade per round (one-versus-all: one model
    /// per grade), so its boosters use fewer rounds.
    /// </summary>
    public static IReadOnlyList<TrainingCandidate> Grid(ModelTask task, TrainingOptions options, ILogger logger)
    {
        var seed = options.Seed;
        var classification = task == ModelTask.Classification;
        var grid = new List<TrainingCandidate>();
        if (options.LibrariesToTrain.Contains(EngineInfo.Library, StringComparer.Ordinal))
        {
            grid.AddRange(
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
            ]);
        }

        if (options.LibrariesToTrain.Contains(MLNetLearner.LibraryName, StringComparer.Ordinal))
        {
            // FastTree with the engine's first booster shape (regression) or its second (grades: one-versus-all fits a
            // model per grade, and this shape is the one that won grades at 100,000 rows), and LightGbm between the two.
            // Regression adds FastForest; for grades its one-versus-all forest was the slowest ML.NET candidate and the
            // least accurate (bench/RESULTS.md, issue 14), so it is left out there.
            grid.Add(classification
                ? new(new MLNetLearner(new MLNetTreeOptions
                {
                    Trainer = MLNetTrainer.FastTree,
                    NumberOfLeaves = 20,
                    LearningRate = 0.2,
                    NumberOfTrees = 25,
                    MinimumExampleCountPerLeaf = 20,
                    Seed = seed,
                }, logger: logger))
                : new(new MLNetLearner(new MLNetTreeOptions
                {
                    Trainer = MLNetTrainer.FastTree,
                    NumberOfLeaves = 8,
                    LearningRate = 0.1,
                    NumberOfTrees = 150,
                    MinimumExampleCountPerLeaf = 10,
                    Seed = seed,
                }, logger: logger)));
            if (!classification)
            {
                grid.Add(new(new MLNetLearner(new MLNetTreeOptions
                {
                    Trainer = MLNetTrainer.FastForest,
                    NumberOfLeaves = 32,
                    NumberOfTrees = 100,
                    MinimumExampleCountPerLeaf = 5,
                    Seed = seed,
                }, logger: logger)));
            }

            grid.Add(new(new MLNetLearner(new MLNetTreeOptions
            {
                Trainer = MLNetTrainer.LightGbm,
                NumberOfLeaves = 16,
                LearningRate = 0.1,
                NumberOfTrees = classification ? 40 : 100,
                MinimumExampleCountPerLeaf = 10,
                Seed = seed,
            }, logger: logger)));
        }

        return grid;
    }
}
