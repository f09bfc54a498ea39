using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Training;
using StudyRecs.Learning;
using StudyRecs.Learning.MLNet;

namespace StudyRecs.Core.Tests.Training;

public sealed class MLNetPortalTrainingTests
{
    private static readonly string[] MLNetAlgorithms = ["fasttree", "fastforest", "lightgbm"];

    [Fact]
    public void The_default_grid_cross_validates_both_libraries_and_a_restricted_one_only_its_own()
    {
        foreach (var task in new[] { ModelTask.Regression, ModelTask.Classification })
        {
            var both = TrainingCandidate.Grid(task, new TrainingOptions(), NullLogger.Instance);
            Assert.Equal(["studyrecs", "ml.net"], both.Select(c => c.Library).Distinct());
            Assert.Contains(both, c => c.Algorithm == "fasttree");
            Assert.Equal(both.Count, both.Select(c => c.Name).Distinct().Count());
            Assert.All(TrainingCandidate.Grid(task, new TrainingOptions { Libraries = ["ml.net"] }, NullLogger.Instance), c => Assert.Contains(c.Algorithm, MLNetAlgorithms));
            Assert.All(TrainingCandidate.Grid(task, new TrainingOptions { Libraries = ["studyrecs"] }, NullLogger.Instance), c => Assert.Equal(EngineInfo.Library, c.Library));
        }
    }

    [Fact]
    public async Task An_unknown_library_stops_the_start_with_a_clear_message()
    {
        await using var host = await CoreTestHost.StartAsync(extra: new Dictionary<string, string?> { ["Training:Libraries:0"] = "tensorflow" });
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TrainingOptions>>().Value);
        Assert.Contains("tensorflow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ML_NET_winner_is_stored_served_explained_and_rolled_back_like_an_engine_winner()
    {
        await using var host = await CoreTestHost.StartAsync(minimumRows: 200, folds: 3,
            extra: new Dictionary<string, string?> { ["Training:Libraries:0"] = "ml.net", ["Predictions:TopFactors"] = "20" });
        await host.ImportGeneratedAsync(40);
        var first = await host.TrainAsync();
        Assert.Equal(TrainingRunStatus.Succeeded, first.Run.Status);
        Assert.Equal(2, first.Models.Count);
        foreach (var stored in first.Models)
        {
            Assert.Contains(stored.Algorithm, MLNetAlgorithms);
            Assert.Equal("ml.net", JsonDocument.Parse(stored.SettingsJson).RootElement.GetProperty("library").GetString());
            var bytes = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ReadArtifactAsync(stored.Id, ModelArtifacts.ReadAllBytes, CancellationToken.None));
            Assert.Equal((MLNetModelFormat.FormatName, MLNetModelFormat.FormatName, bytes!.LongLength), (stored.ArtifactFormat, MLNetModelFormat.WithEngine.Load(bytes).Format, stored.ArtifactLength));
        }

        var models = await host.Services.GetRequiredService<ActiveModels>().GetAsync(CancellationToken.None);
        Assert.Equal(MLNetModelFormat.FormatName, models.Regression!.Model.Format);
        Assert.NotNull(models.Regression.Model.As<IExplainableModel>());
        var row = await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().AsNoTracking().OrderBy(r => r.Id).FirstAsync());
        var forecast = host.Services.GetRequiredService<Forecaster>().Predict(models, Forecaster.FromRow(row));
        Assert.InRange(forecast.PredictedMarks, 0, 100);
        Assert.Equal(1.0, forecast.Probabilities.Sum(p => p.Probability), 6);
        Assert.NotEmpty(forecast.Factors);
        var unexplained = Math.Abs(forecast.PredictedMarks - (forecast.AverageMarks + forecast.Factors.Sum(f => f.Contribution)));
        Assert.InRange(unexplained, 0, 0.05 * (models.Regression.Schema.Features.Count - forecast.Factors.Count));

        // A second run makes a newer version; activating the first again serves it again.
        await host.ImportGeneratedAsync(30, seed: 8);
        host.Clock.Now = host.Clock.Now.AddMinutes(5);
        var second = await host.TrainAsync();
        Assert.Equal(TrainingRunStatus.Succeeded, second.Run.Status);
        var original = first.Models.Single(m => m.Task == ModelTask.Regression).Version;
        var newer = second.Models.Single(m => m.Task == ModelTask.Regression).Version;
        Assert.NotEqual(original, newer);
        if (!second.Models.Single(m => m.Task == ModelTask.Regression).IsActive)
        {
            var activeNow = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ActivateAsync(ModelTask.Regression, newer, "admin", "serve the newer model", CancellationToken.None));
            Assert.True(activeNow.Succeeded, activeNow.Message);
        }

        await host.Services.GetRequiredService<ActiveModels>().RefreshAsync(CancellationToken.None);
        Assert.Equal(newer, host.Services.GetRequiredService<ActiveModels>().Current.Regression!.Version);
        var rollBack = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ActivateAsync(ModelTask.Regression, original, "admin", "roll back", CancellationToken.None));
        Assert.True(rollBack.Succeeded, rollBack.Message);
        await host.Services.GetRequiredService<ActiveModels>().RefreshAsync(CancellationToken.None);
        var served = host.Services.GetRequiredService<ActiveModels>().Current;
        Assert.Equal(original, served.Regression!.Version);
        Assert.Equal(original, host.Services.GetRequiredService<Forecaster>().Predict(served, Forecaster.FromRow(row)).RegressionVersion);
    }
}
