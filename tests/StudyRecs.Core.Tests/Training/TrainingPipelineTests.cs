using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;
using StudyRecs.Learning;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Validation;
using Xunit.Abstractions;

namespace StudyRecs.Core.Tests.Training;

/// <summary>
/// One training run over a generated dataset of 130 students (1,300 rows), shared by the read-only tests; the grid is
/// restricted to the engine's learners (ML.NET's are tested with their own grid in <see cref="MLNetPortalTrainingTests"/>).
/// </summary>
public sealed class TrainedPortalFixture : IAsyncLifetime
{
    internal CoreTestHost Host { get; private set; } = null!;

    public UploadedDataset Dataset { get; private set; } = null!;

    public TrainingOutcome Outcome { get; private set; } = null!;

    public TimeSpan Duration { get; private set; }

    /// <summary>Processor time of the run: wall time on these shared machines says little.</summary>
    public TimeSpan ProcessorTime { get; private set; }

    public async Task InitializeAsync()
    {
        Host = await CoreTestHost.StartAsync(extra: new Dictionary<string, string?> { ["Training:Libraries:0"] = "studyrecs" });
        Dataset = await Host.ImportGeneratedAsync(130);
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Outcome = await Host.TrainAsync();
        Duration = clock.Elapsed;
        ProcessorTime = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class TrainingPipelineTests(TrainedPortalFixture trained, ITestOutputHelper output) : IClassFixture<TrainedPortalFixture>
{
    [Fact]
    public async Task A_run_stores_one_active_regression_and_one_active_classification_model_with_sane_metrics()
    {
        var run = trained.Outcome.Run;
        output.WriteLine($"Training {trained.Outcome.Models[0].RowsUsed} rows took {trained.Duration.TotalSeconds:0.0} s ({trained.ProcessorTime.TotalSeconds:0.0} s of processor time).\n{run.ResultSummary}");
        foreach (var model in trained.Outcome.Models)
        {
            var candidates = ModelMetricsJson.ReadRegression(model.MetricsJson)?.Candidates ?? ModelMetricsJson.ReadClassification(model.MetricsJson)!.Candidates;
            output.WriteLine(string.Join("\n", candidates.Select(c => $"{model.Task} {c.Candidate}: {c.DurationSeconds:0.0} s, {string.Join(", ", c.Metrics.Select(m => $"{m.Key} {m.Value.Mean:0.###}±{m.Value.StandardDeviation:0.###}"))}")));
        }

        Assert.Equal(TrainingRunStatus.Succeeded, run.Status);
        Assert.Null(run.Error);
        Assert.Equal((6, 6, "Finished"), (run.CandidateIndex, run.CandidateCount, run.Step));
        Assert.Equal([ModelTask.Regression, ModelTask.Classification], trained.Outcome.Models.Select(m => m.Task));
        Assert.All(trained.Outcome.Models, m => Assert.True(m.IsActive));

        var regression = ModelMetricsJson.ReadRegression(trained.Outcome.Models[0].MetricsJson)!;
        Assert.InRange(regression.R2, 0.5, 1);
        Assert.InRange(regression.CvRmse.Mean, 1, 12);
        Assert.Equal(5, regression.CvRmse.Count);
        Assert.True(regression.Training.Rmse <= regression.Rmse, "the refit model fits its own rows at least as well as unseen ones");
        Assert.InRange(regression.Residuals.Quantile05, -30, 0);
        Assert.InRange(regression.Residuals.Quantile95, 0, 30);
        Assert.Equal(3, regression.Candidates.Count);
        Assert.Single(regression.Candidates, c => c.Selected);
        Assert.Contains(regression.Importance.Take(5), f => f.Feature is "midterm_marks" or "assessment_mean" or "assessment_mean_vs_subject");
        Assert.Equal(1, regression.Importance.Sum(f => f.Gain), 6);
        Assert.Null(ModelMetricsJson.ReadClassification(trained.Outcome.Models[0].MetricsJson));

        var classification = ModelMetricsJson.ReadClassification(trained.Outcome.Models[1].MetricsJson)!;
        Assert.True(classification.Accuracy > classification.Balance.MajorityShare + 0.05,
            $"accuracy {classification.Accuracy:P1} should clearly beat always guessing the commonest grade ({classification.Balance.MajorityShare:P1})");
        Assert.True(classification.WeightedF1 > 0.2, $"weighted F1 {classification.WeightedF1}");
        Assert.Equal(classification.Classes.Count, classification.ConfusionMatrix.Length);
        Assert.Equal(classification.Data.RowsUsed, classification.ConfusionMatrix.Sum(r => r.Sum()));
        Assert.Equal(classification.Classes, classification.PerClass.Select(c => c.Grade));
        Assert.All(classification.Classes, g => Assert.NotNull(GradeScale.Default.Normalize(g)));
        Assert.StartsWith("temperature ", classification.Calibration, StringComparison.Ordinal);
        Assert.NotEmpty(classification.ConfidenceCurve);
        Assert.Equal(classification.Data.RowsUsed, classification.Balance.Counts.Values.Sum());
        var rare = classification.Balance.Counts.Where(c => c.Value < 0.05 * classification.Data.RowsUsed).Select(c => c.Key).ToArray();
        Assert.Equal(rare.Length, classification.Balance.Warnings.Count);
        Assert.True(classification.Balance.ImbalanceRatio >= 1);

        await trained.Host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            Assert.Equal(DatasetStatus.Trained, (await db.Set<UploadedDataset>().SingleAsync()).Status);
            var registry = sp.GetRequiredService<ModelRegistry>();
            var candidates = await registry.RunsAsync(run.Id, CancellationToken.None);
            Assert.Equal(6, candidates.Count);
            Assert.Equal(2, candidates.Count(c => c.Selected));
            Assert.All(candidates, c => Assert.NotNull(ModelMetricsJson.ReadCvMetrics(c.CvMetricsJson)));
            var pipeline = sp.GetRequiredService<TrainingPipeline>();
            Assert.Equal(trained.Outcome.Models[0].DataHash, await pipeline.CurrentDataHashAsync(null, CancellationToken.None));
            Assert.Equal(2, (await registry.AuditAsync(null, CancellationToken.None)).Count);
            return 0;
        });
    }

    [Fact]
    public async Task The_stored_artifact_round_trips_and_predicts_from_the_stored_feature_schema()
    {
        await trained.Host.WithScopeAsync(async sp =>
        {
            var registry = sp.GetRequiredService<ModelRegistry>();
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            var rows = await db.Set<DatasetRow>().AsNoTracking().Where(r => r.FinalMarks != null).OrderBy(r => r.Id).Take(200).ToListAsync();

            var regression = (await registry.GetActiveAsync(ModelTask.Regression, CancellationToken.None))!;
            var bytes = (await registry.ReadArtifactAsync(regression.Id, ModelArtifacts.ReadAllBytes, CancellationToken.None))!;
            Assert.Equal(regression.ArtifactSha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal((ArtifactFormats.EngineTrees, bytes.LongLength, null), (regression.ArtifactFormat, regression.ArtifactLength, regression.CatalogJson));
            var schema = FeatureSchema.FromJson(regression.FeatureSchemaJson!);
            var model = TreeEnsembleModel.Load(new MemoryStream(bytes));
            Assert.Equal(schema.FeatureNames, model.FeatureNames);
            Assert.Equal(regression.Version, model.Metadata["version"]);
            var errors = rows.Select(r => model.Predict(schema.Encode(r)) - r.FinalMarks!.Value).ToArray();
            Assert.InRange(Math.Sqrt(errors.Average(e => e * e)), 0.1, 10);

            var classification = (await registry.GetActiveAsync(ModelTask.Classification, CancellationToken.None))!;
            var classifier = TreeEnsembleModel.FromBytes((await registry.ReadArtifactAsync(classification.Id, ModelArtifacts.ReadAllBytes, CancellationToken.None))!);
            Assert.NotNull(classifier.Calibrator);
            var classes = ModelMetricsJson.ReadClassification(classification.MetricsJson)!.Classes;
            Assert.Equal(classes, classifier.ClassLabels);
            var probabilities = new double[classifier.ClassCount];
            classifier.PredictProbabilities(FeatureSchema.FromJson(classification.FeatureSchemaJson!).Encode(rows[0]), probabilities);
            Assert.Equal(1, probabilities.Sum(), 6);

            Assert.Equal(2, (await registry.ListAsync(null, CancellationToken.None)).Count);
            Assert.Null(await registry.ReadArtifactAsync(regression.Id + 1000, ModelArtifacts.ReadAllBytes, CancellationToken.None));
            return 0;
        });
    }

    [Fact]
    public async Task The_regression_report_keeps_a_bounded_sample_of_the_winners_out_of_fold_forecasts_beside_the_actual_marks()
    {
        var version = trained.Outcome.Models[0];
        var report = ModelMetricsJson.ReadRegression(version.MetricsJson)!;
        var sample = report.PredictedAgainstActual!;
        Assert.Equal(report.Data.RowsUsed, sample.Total);
        Assert.Equal(OutOfFoldSample.MaximumPoints, sample.Points.Count);

        await trained.Host.WithScopeAsync(async sp =>
        {
            // The pipeline's rows, features, folds and winner, cross-validated again.
            var options = sp.GetRequiredService<IOptions<TrainingOptions>>().Value;
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            var rows = (await TrainingData.LoadLabelledRowsAsync(db, report.Data.DatasetIds, CancellationToken.None)).Where(r => r.FinalMarks is not null).ToList();
            var schema = FeatureSchema.FromJson(version.FeatureSchemaJson!);
            var set = new TrainingSet(schema.EncodeAll(rows), rows.Select(r => (float)r.FinalMarks!.Value).ToArray()) { FeatureNames = schema.FeatureNames };
            var winner = TrainingCandidate.Grid(ModelTask.Regression, options, NullLogger.Instance).Single(c => c.Name == report.Candidate);
            var splits = CrossValidatedTrainer.StudentFolds(rows.Select(r => r.StudentId).ToArray(), options.CvFolds, options.Seed);
            var cv = (await new CandidateSelection(LearningTask.Regression, Environment.ProcessorCount).SelectAsync([winner.Learner], set, splits)).Winner;
            Assert.Equal(report.Rmse, cv.Regression!.Rmse, 9);

            // Every point is one row's actual marks and the forecast of the fold that held that row out...
            var byRow = Enumerable.Range(0, rows.Count).ToLookup(i => (Math.Round((double)set.Labels[i], 2), Math.Round(cv.OutOfFold[i], 2)));
            Assert.All(sample.Points, p => Assert.True(byRow.Contains((p.Actual, p.Predicted)), $"({p.Actual}, {p.Predicted}) is no row's out-of-fold forecast"));
            Assert.All(sample.Points, p => Assert.Contains(p.Actual, rows.Select(r => Math.Round(r.FinalMarks!.Value, 2))));

            // ... not the refitted model's forecast of a row it learned from,
            var refit = TreeEnsembleModel.FromBytes((await sp.GetRequiredService<ModelRegistry>().ReadArtifactAsync(version.Id, ModelArtifacts.ReadAllBytes, CancellationToken.None))!);
            var inSample = refit.PredictBatch(set.Features, 1);
            var rowOf = sample.Points.Select(p => byRow[(p.Actual, p.Predicted)].First()).ToArray();
            var same = rowOf.Count(i => Math.Abs(Math.Round(inSample[i], 2) - Math.Round(cv.OutOfFold[i], 2)) < 0.005);
            Assert.True(same < sample.Points.Count / 10, $"{same} of {sample.Points.Count} points equal the in-sample forecast");

            // ... drawn reproducibly, spread over the rows, in row order.
            Assert.Equal(OutOfFoldSample.Draw(cv, set.Labels, options.Seed).Points, sample.Points);
            Assert.Equal(rowOf.Order(), rowOf);
            Assert.True(rowOf.Distinct().Count() > 390, "distinct rows");
            Assert.True(rowOf.Min() < rows.Count / 10 && rowOf.Max() > rows.Count * 9 / 10, "points from the whole data, not its start");
            return 0;
        });
    }

    [Fact]
    public void A_regression_report_stored_before_the_sample_was_kept_still_reads_without_points()
    {
        var stored = JsonNode.Parse(trained.Outcome.Models[0].MetricsJson)!.AsObject();
        Assert.True(stored.Remove("predictedAgainstActual"));

        var old = ModelMetricsJson.ReadRegression(stored.ToJsonString());

        Assert.NotNull(old);
        Assert.Null(old.PredictedAgainstActual);
        Assert.Equal(ModelMetricsJson.ReadRegression(trained.Outcome.Models[0].MetricsJson)!.Rmse, old.Rmse);
    }
}
