using StudyRecs.Core.Training;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;

namespace StudyRecs.Core.Tests.Training;

public sealed class CandidateRacingTests
{
    [Fact]
    public async Task A_candidate_stopped_by_racing_is_listed_with_its_partial_score_and_a_plain_note_and_the_winner_ran_every_fold()
    {
        // 300 students with 5 rows each; the mark follows the first two features.
        var random = new Random(11);
        const int rows = 1500;
        var features = new float[rows * 4];
        var labels = new float[rows];
        var students = new string[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var f = 0; f < 4; f++)
            {
                features[(i * 4) + f] = (float)random.NextDouble();
            }

            labels[i] = (float)((60 * features[i * 4]) + (30 * features[(i * 4) + 1]) + (2 * random.NextDouble()));
            students[i] = $"S{i / 5:0000}";
        }

        var set = new TrainingSet(new DenseMatrix(features, rows, 4), labels) { FeatureNames = ["a", "b", "c", "d"] };
        TrainingCandidate[] grid =
        [
            new(new GradientBoostingLearner(new GradientBoostingOptions { NumberOfTrees = 80, NumberOfLeaves = 8, LearningRate = 0.2 }, "strong")),
            new(new GradientBoostingLearner(new GradientBoostingOptions { NumberOfTrees = 2, NumberOfLeaves = 2, LearningRate = 0.1 }, "weak")),
        ];
        var trainer = new CrossValidatedTrainer(5, 0, 2, _ => grid, TimeProvider.System);

        var result = await trainer.TrainRegressionAsync(new TaskData(set, students, [1], "hash"), new NoProgress(), CancellationToken.None);

        var (strong, weak) = (result.Candidates[0], result.Candidates[1]);
        Assert.True(strong.Selected);
        Assert.Null(strong.Note);
        Assert.Equal(5, strong.Metrics["rmse"].Count);
        Assert.False(weak.Selected);
        var note = Assert.IsType<string>(weak.Note);
        Assert.Equal("stopped after 1 of 5 folds: clearly worse than strong", note[..note.IndexOf(" on ", StringComparison.Ordinal)]);
        Assert.Equal(1, weak.Metrics["rmse"].Count);
        Assert.True(weak.Metrics["rmse"].Mean > strong.Metrics["rmse"].Mean);

        // The version's candidate list (metrics.json, the model page's table) carries both, the note with the stopped one.
        var listed = ModelMetricsJson.ReadRegression(result.MetricsJson)!.Candidates;
        Assert.Equal(["strong", "weak"], listed.Select(c => c.Candidate));
        Assert.Equal(weak.Note, listed[1].Note);
        Assert.Null(listed[0].Note);
        Assert.Equal(1, listed[1].Metrics["rmse"].Count);
    }

    private sealed class NoProgress : ITrainingProgress
    {
        public Task CandidateAsync(ModelTask task, int index, int count, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StepAsync(string step, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
