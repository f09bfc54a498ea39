using StudyRecs.Cli.Learning;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.MLNet;

namespace StudyRecs.Cli.Tests.Learning;

public class LearnCandidatesTests
{
    private static readonly LearnSettings Defaults = new() { DataPath = "x.csv", Target = "y", Task = LearningTask.MulticlassClassification };

    [Fact]
    public void Auto_caps_the_rounds_of_ML_NET_one_versus_all_candidates_with_many_classes_and_raises_their_learning_rate_in_proportion()
    {
        var grid = LearnCandidates.Grid(Defaults, rows: 1_797, features: 64, classes: 10, LearningTask.MulticlassClassification);

        var mlnet = grid.OfType<MLNetLearner>().ToArray();
        Assert.Equal([MLNetTrainer.FastTree, MLNetTrainer.FastForest, MLNetTrainer.LightGbm], mlnet.Select(l => l.Options.Trainer));
        Assert.All(mlnet[..2], l => Assert.Equal(50, l.Options.NumberOfTrees));
        Assert.All(mlnet[..2], l => Assert.Equal(0.4, l.Options.LearningRate, 12));
        Assert.All(mlnet, l => Assert.Equal(20, l.Options.NumberOfLeaves));

        // LightGbm's own multiclass objective is cheap: the command line's settings.
        Assert.Equal((100, 0.2), (mlnet[2].Options.NumberOfTrees, mlnet[2].Options.LearningRate));

        // The engine's candidates keep their own rounds: the command line's booster comes first, unchanged.
        var first = Assert.IsType<StudyRecs.Learning.Boosting.GradientBoostingLearner>(grid[0]);
        Assert.Equal(100, first.Options.NumberOfTrees);
    }

    [Theory]
    [InlineData(LearningTask.Regression, 1)]
    [InlineData(LearningTask.BinaryClassification, 2)]
    [InlineData(LearningTask.MulticlassClassification, 3)]
    public void Few_classes_keep_the_command_line_rounds_for_ML_NET(LearningTask task, int classes)
    {
        var grid = LearnCandidates.Grid(Defaults with { Task = task }, rows: 500, features: 13, classes, task);

        Assert.All(grid.OfType<MLNetLearner>(), l => Assert.Equal((100, 0.2), (l.Options.NumberOfTrees, l.Options.LearningRate)));
    }

    [Fact]
    public void Many_classes_never_get_fewer_than_25_rounds_nor_a_learning_rate_above_one_half()
    {
        var settings = LearnCandidates.OneVersusAllSettings(Defaults with { Trees = 100, LearningRate = 0.3 }, outputs: 40);

        Assert.Equal(25, settings.Trees);
        Assert.Equal(0.5, settings.LearningRate);
    }
}
