using Microsoft.Extensions.Logging;
using Microsoft.ML;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;
using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Serialization;

namespace StudyRecs.Learning.Tests.MLNet;

public class MLNetLearnerTests
{
    public static TheoryData<MLNetTrainer, LearningTask> Trainers()
    {
        var data = new TheoryData<MLNetTrainer, LearningTask>();
        foreach (var trainer in Enum.GetValues<MLNetTrainer>())
        {
            foreach (var task in new[] { LearningTask.Regression, LearningTask.BinaryClassification, LearningTask.MulticlassClassification })
            {
                data.Add(trainer, task);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public void Each_trainer_learns_each_task_and_predicts_rows_alone_as_in_a_batch(MLNetTrainer trainer, LearningTask task)
    {
        var (train, test) = (WithMissingCells(Data(task, 900, seed: 31)), WithMissingCells(Data(task, 300, seed: 32)));
        var learner = new MLNetLearner(new MLNetTreeOptions { Trainer = trainer, NumberOfTrees = 40, NumberOfLeaves = 8, MinimumExampleCountPerLeaf = 5 });

        var model = learner.Fit(task, train, threads: 1);

        Assert.Equal((task, learner.Algorithm, MLNetModelFormat.FormatName, 5), (model.Task, model.Algorithm, model.Format, model.FeatureCount));
        var batch = model.PredictBatch(test.Features);
        var single = Enumerable.Range(0, test.Rows).Select(i => model.Predict(test.Features.Row(i))).ToArray();
        Assert.Equal(batch, single, (a, b) => Math.Abs(a - b) < 1e-5);
        if (task == LearningTask.Regression)
        {
            var spread = Math.Sqrt(test.Labels.Average(y => Math.Pow(y - test.Labels.Average(), 2)));
            Assert.True(RegressionMetrics.Compute(batch, test.Labels).Rmse < 0.6 * spread, $"{trainer} RMSE {RegressionMetrics.Compute(batch, test.Labels).Rmse} vs spread {spread}");
            return;
        }

        var classes = task == LearningTask.BinaryClassification ? 2 : 3;
        var probabilities = model.PredictProbabilitiesBatch(test.Features);
        Assert.All(Enumerable.Range(0, test.Rows), i => Assert.Equal(1, probabilities.AsSpan(i * classes, classes).ToArray().Sum(), 6));
        var accuracy = ClassificationMetrics.Compute(probabilities, test.Labels, classes).Accuracy;
        Assert.True(accuracy > (task == LearningTask.BinaryClassification ? 0.75 : 0.6), $"{trainer} {task} accuracy {accuracy}");
    }

    [Theory]
    [InlineData(MLNetTrainer.FastTree)]
    [InlineData(MLNetTrainer.FastForest)]
    [InlineData(MLNetTrainer.LightGbm)]
    public void Rows_with_missing_cells_are_trained_on_not_dropped(MLNetTrainer trainer)
    {
        // Only the rows with a missing cell carry the signal: a trainer that dropped them would predict 0 for every row.
        var random = new Random(7);
        var rows = 600;
        var x = new float[rows * 3];
        var y = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var f = 0; f < 3; f++)
            {
                x[(i * 3) + f] = (float)random.NextDouble();
            }

            if (i % 3 == 0)
            {
                x[i * 3] = float.NaN;
                y[i] = 10;
            }
        }

        var logger = new ListLogger();
        var learner = new MLNetLearner(new MLNetTreeOptions { Trainer = trainer, NumberOfTrees = 30, NumberOfLeaves = 4, MinimumExampleCountPerLeaf = 5 }, logger: logger);
        var model = learner.Fit(LearningTask.Regression, new TrainingSet(new DenseMatrix(x, rows, 3), y), threads: 1);

        Assert.InRange(model.Predict([float.NaN, 0.5f, 0.5f]), 8, 12);
        Assert.InRange(model.Predict([0.5f, 0.5f, 0.5f]), -2, 2);
        Assert.DoesNotContain(logger.Messages, m => m.Contains("missing", StringComparison.OrdinalIgnoreCase) || m.Contains("skipped", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ML_NET_warnings_go_to_the_logger()
    {
        // FastTree on raw NaN cells (what the learner never does) warns that it skips rows.
        var logger = new ListLogger();
        var context = MLNetLearner.CreateContext(0, logger);
        var rows = Enumerable.Range(0, 200).Select(i => new { Features = new[] { i % 4 == 0 ? float.NaN : i, 1f }, Label = (float)i }).ToArray();
        var data = context.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r.Features, Label = r.Label }));
        context.Regression.Trainers.FastTree(numberOfTrees: 5, numberOfLeaves: 4, minimumExampleCountPerLeaf: 2).Fit(data);

        Assert.NotEmpty(logger.Messages);
        Assert.All(logger.Levels, l => Assert.Equal(LogLevel.Warning, l));
    }

    [Theory]
    [InlineData(LearningTask.Regression)]
    [InlineData(LearningTask.BinaryClassification)]
    [InlineData(LearningTask.MulticlassClassification)]
    public void The_artifact_round_trips_with_its_calibrator_and_refuses_damage(LearningTask task)
    {
        var train = WithMissingCells(Data(task, 500, seed: 41));
        var fitted = new MLNetLearner(new MLNetTreeOptions { NumberOfTrees = 20, NumberOfLeaves = 6 }).Fit(task, train, threads: 1);
        IModel model = task switch
        {
            LearningTask.BinaryClassification => new CalibratedModel(fitted, new PlattCalibrator(0.7, 0.2)),
            LearningTask.MulticlassClassification => new CalibratedModel(fitted, new TemperatureCalibrator(1.4, 3)),
            _ => fitted,
        };
        var bytes = model.WithMetadata(new Dictionary<string, string> { ["version"] = "v7" }).ToBytes();

        var loaded = MLNetModelFormat.WithEngine.Load(bytes);

        Assert.Equal(model.GetType(), loaded.GetType());
        Assert.Equal("v7", loaded.Metadata["version"]);
        Assert.Equal(train.FeatureNames, loaded.FeatureNames);
        Assert.Equal(model.PredictBatch(train.Features), loaded.PredictBatch(train.Features), (a, b) => Math.Abs(a - b) < 1e-6);
        if (task != LearningTask.Regression)
        {
            Assert.Equal(model.PredictProbabilitiesBatch(train.Features), loaded.PredictProbabilitiesBatch(train.Features), (a, b) => Math.Abs(a - b) < 1e-6);
        }

        var damaged = (byte[])bytes.Clone();
        damaged[bytes.Length / 2] ^= 0x40;
        Assert.Contains("checksum", Assert.Throws<ModelFormatException>(() => MLNetModelFormat.WithEngine.Load(damaged)).Message, StringComparison.Ordinal);
        Assert.Throws<ModelFormatException>(() => MLNetModelFormat.WithEngine.Load(bytes.AsMemory(0, bytes.Length - 10)));
        Assert.Throws<ModelFormatException>(() => ModelFormats.Engine.Load(bytes));
        var newer = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(newer.AsSpan(4), MLNetModelFormat.FormatVersion + 1);
        Assert.Contains("newer", Assert.Throws<ModelFormatException>(() => MLNetModelFormat.WithEngine.Load(newer)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pooled_engines_answer_many_threads_at_once()
    {
        var data = WithMissingCells(Data(LearningTask.MulticlassClassification, 400, seed: 51));
        var model = new MLNetLearner(new MLNetTreeOptions { Trainer = MLNetTrainer.LightGbm, NumberOfTrees = 20, NumberOfLeaves = 6 }).Fit(LearningTask.MulticlassClassification, data, 1);
        var expected = model.PredictProbabilitiesBatch(data.Features);

        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var p = new double[3];
            for (var i = 0; i < data.Rows; i++)
            {
                model.PredictProbabilities(data.Features.Row(i), p);
                Assert.Equal(expected.AsSpan(i * 3, 3).ToArray(), p, (a, b) => Math.Abs(a - b) < 1e-6);
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Theory]
    [InlineData(MLNetTrainer.FastTree, true)]
    [InlineData(MLNetTrainer.LightGbm, true)]
    [InlineData(MLNetTrainer.FastForest, false)]
    public void Regression_rows_scored_by_the_models_own_trees_equal_MLNETs_scores_bit_for_bit_fitted_and_reloaded(MLNetTrainer trainer, bool byTrees)
    {
        var train = WithMissingCells(Data(LearningTask.Regression, 1500, seed: 81));
        var fitted = (MLNetModel)new MLNetLearner(new MLNetTreeOptions { Trainer = trainer, NumberOfTrees = 120, NumberOfLeaves = 8, MinimumExampleCountPerLeaf = 5 })
            .Fit(LearningTask.Regression, train, threads: 1);
        var reloaded = (MLNetModel)MLNetModelFormat.WithEngine.Load(fitted.ToBytes());
        var rows = WithMissingCells(Data(LearningTask.Regression, 600, seed: 82)).Features;
        foreach (var model in new[] { fitted, reloaded })
        {
            Assert.Equal(byTrees, model.TreeScorer is not null);

            // ML.NET's own transformer scores the batch; single rows go through the trees (or an engine, for FastForest).
            var scores = model.PredictBatch(rows);
            for (var i = 0; i < rows.Rows; i++)
            {
                Assert.Equal(scores[i], model.Predict(rows.Row(i)));
                Assert.Equal(scores[i], model.RawScore(rows.Row(i)));
            }
        }
    }

    [Theory]
    [InlineData(MLNetTrainer.FastTree)]
    [InlineData(MLNetTrainer.LightGbm)]
    public void A_class_missing_from_the_training_rows_still_gets_a_probability_column(MLNetTrainer trainer)
    {
        // A fold grouped by student can lack a rare grade: the model must still answer for every grade, in order.
        var data = Data(LearningTask.MulticlassClassification, 400, seed: 71);
        var set = new TrainingSet(data.Features, data.Labels) { ClassCount = 4, FeatureNames = data.FeatureNames, ClassLabels = ["low", "mid", "high", "top"] };

        var model = new MLNetLearner(new MLNetTreeOptions { Trainer = trainer, NumberOfTrees = 20, NumberOfLeaves = 6 }).Fit(LearningTask.MulticlassClassification, set, 1);

        var probabilities = model.PredictProbabilitiesBatch(set.Features);
        Assert.Equal(4 * set.Rows, probabilities.Length);
        var accuracy = ClassificationMetrics.Compute(probabilities, set.Labels, 4).Accuracy;
        Assert.True(accuracy > 0.6, $"accuracy {accuracy}");
    }

    internal static TrainingSet Data(LearningTask task, int rows, int seed)
    {
        var set = task switch
        {
            LearningTask.Regression => SyntheticData.Regression(rows, seed),
            LearningTask.BinaryClassification => SyntheticData.Binary(rows, seed),
            _ => SyntheticData.Multiclass(rows, seed),
        };
        return new TrainingSet(set.Features, set.Labels)
        {
            FeatureNames = ["a", "b", "c", "d", "e"],
            ClassCount = task == LearningTask.MulticlassClassification ? 3 : null,
            ClassLabels = task == LearningTask.MulticlassClassification ? ["low", "mid", "high"] : null,
        };
    }

    /// <summary>Every seventh cell of column 1 missing, as gradebooks miss marks not known yet.</summary>
    internal static TrainingSet WithMissingCells(TrainingSet set)
    {
        var values = (float[])set.Features.Values.Clone();
        for (var i = 0; i < set.Rows; i += 7)
        {
            values[(i * set.Features.Columns) + 1] = float.NaN;
        }

        return new TrainingSet(new DenseMatrix(values, set.Rows, set.Features.Columns), set.Labels)
        {
            FeatureNames = set.FeatureNames,
            ClassCount = set.ClassCount,
            ClassLabels = set.ClassLabels,
        };
    }

    private sealed class Row
    {
        [Microsoft.ML.Data.VectorType(2)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}

/// <summary>Keeps what is logged.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IEnumerable<string> Messages => _entries.Select(e => e.Message);

    public IEnumerable<LogLevel> Levels => _entries.Select(e => e.Level);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
