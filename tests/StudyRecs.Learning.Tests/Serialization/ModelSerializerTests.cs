using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Serialization;

namespace StudyRecs.Learning.Tests.Serialization;

public class ModelSerializerTests
{
    private static readonly TrainingSet Data = SyntheticData.Multiclass(500, seed: 51);

    private static TreeEnsembleModel Model() =>
        new GradientBoostingTrainer(new() { NumberOfTrees = 8 }).Fit(LearningTask.MulticlassClassification, new TrainingSet(Data.Features, Data.Labels)
        {
            FeatureNames = ["a", "b", "c", "d", "e"],
            ClassLabels = ["low", "mid", "high"],
        }).WithCalibrator(new TemperatureCalibrator(1.3, 3)).WithMetadata(new Dictionary<string, string> { ["dataset"] = "grades.csv" });

    [Fact]
    public void Round_trip_keeps_predictions_schema_calibration_and_metadata()
    {
        var model = Model();
        var bytes = model.ToBytes();
        var loaded = TreeEnsembleModel.FromBytes(bytes);
        Assert.Equal(model.FeatureNames, loaded.FeatureNames);
        Assert.Equal(model.ClassLabels, loaded.ClassLabels);
        Assert.Equal(model.TreeCount, loaded.TreeCount);
        Assert.Equal("grades.csv", loaded.Metadata["dataset"]);
        Assert.Equal("8", loaded.TrainingOptions["NumberOfTrees"]);
        Assert.Equal(1.3, Assert.IsType<TemperatureCalibrator>(loaded.Calibrator).Temperature);
        Assert.Equal(model.Bins[2].UpperBounds, loaded.Bins[2].UpperBounds);
        Assert.Equal(model.PredictProbabilitiesBatch(Data.Features), loaded.PredictProbabilitiesBatch(Data.Features));
        Assert.Equal(bytes, loaded.ToBytes());
    }

    [Fact]
    public void Platt_calibrated_binary_model_round_trips_through_a_stream()
    {
        var data = SyntheticData.Binary(300, seed: 52);
        var model = new RandomForestTrainer(new() { NumberOfTrees = 5 }).Fit(LearningTask.BinaryClassification, data).WithCalibrator(new PlattCalibrator(0.8, 0.1));
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = TreeEnsembleModel.Load(stream);
        Assert.Equal(model.PredictBatch(data.Features), loaded.PredictBatch(data.Features));
        Assert.Equal("forest", loaded.Algorithm);
    }

    [Fact]
    public void Refuses_a_file_with_a_flipped_byte()
    {
        var bytes = Model().ToBytes();
        for (var position = 16; position < bytes.Length; position += Math.Max(1, bytes.Length / 37))
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[position] ^= 0x5A;
            var ex = Assert.Throws<ModelFormatException>(() => TreeEnsembleModel.FromBytes(corrupt));
            Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Refuses_a_truncated_file()
    {
        var bytes = Model().ToBytes();
        foreach (var length in new[] { 0, 3, 15, 16, bytes.Length / 2, bytes.Length - 1 })
        {
            var ex = Assert.Throws<ModelFormatException>(() => TreeEnsembleModel.FromBytes(bytes[..length]));
            Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Refuses_a_file_from_a_newer_engine()
    {
        var bytes = Model().ToBytes();
        BitConverter.TryWriteBytes(bytes.AsSpan(4), EngineInfo.FormatVersion + 1);
        var ex = Assert.Throws<ModelFormatException>(() => TreeEnsembleModel.FromBytes(bytes));
        Assert.Contains("newer engine", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_data_that_is_not_a_model()
    {
        var ex = Assert.Throws<ModelFormatException>(() => TreeEnsembleModel.FromBytes("name,grade\nann,5\n"u8.ToArray()));
        Assert.Contains("not a StudyRecs tree model", ex.Message, StringComparison.Ordinal);
    }
}
