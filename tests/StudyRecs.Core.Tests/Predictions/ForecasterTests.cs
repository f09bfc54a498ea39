using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Tests.Training;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Predictions;

public sealed class ForecasterTests
{
    private static async Task<CoreTestHost> TrainedHostAsync(int trainings = 1)
    {
        var host = await CoreTestHost.StartAsync(minimumRows: 100, folds: 3, extra: new Dictionary<string, string?> { ["Predictions:TopFactors"] = "20" });
        await host.ImportGeneratedAsync(30);
        for (var i = 0; i < trainings; i++)
        {
            host.Clock.Now = host.Clock.Now.AddMinutes(1 + i);
            var outcome = await host.TrainAsync();
            Assert.Equal(TrainingRunStatus.Succeeded, outcome.Run.Status);
        }

        return host;
    }

    private static async Task<DatasetRow> AnyRowAsync(CoreTestHost host) =>
        await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().AsNoTracking().OrderBy(r => r.Id).FirstAsync());

    [Fact]
    public async Task A_forecast_is_consistent_and_its_factors_add_up_to_the_predicted_marks()
    {
        await using var host = await TrainedHostAsync();
        var models = await host.Services.GetRequiredService<ActiveModels>().GetAsync(CancellationToken.None);
        Assert.True(models.IsComplete);
        var forecaster = host.Services.GetRequiredService<Forecaster>();
        var row = await AnyRowAsync(host);

        var forecast = forecaster.Predict(models, Forecaster.FromRow(row));

        Assert.InRange(forecast.PredictedMarks, 0, 100);
        Assert.InRange(forecast.PredictedMarks, forecast.Interval.Low, forecast.Interval.High);
        Assert.True(forecast.Interval.High > forecast.Interval.Low);
        Assert.Equal(1.0, forecast.Probabilities.Sum(p => p.Probability), 6);
        Assert.Equal(forecast.Probabilities.MaxBy(p => p.Probability)!.Grade, forecast.PredictedGrade);
        Assert.Equal(forecast.ProbabilityOf("F"), forecast.FailProbability, 12);
        Assert.True(forecast.SubjectKnown);
        Assert.Equal(models.Regression!.Version, forecast.RegressionVersion);

        // With every factor listed, TreeSHAP's contributions plus the average forecast give the forecast back, up to the
        // factors too small to mention (under 0.05 marks each).
        var unexplained = Math.Abs(forecast.PredictedMarks - (forecast.AverageMarks + forecast.Factors.Sum(f => f.Contribution)));
        Assert.InRange(unexplained, 0, 0.05 * (models.Regression.Schema.Features.Count - forecast.Factors.Count));
        Assert.Contains(forecast.Factors, f => f.Factor == "attendance_percentage" && f.Text.StartsWith("Attendance of ", StringComparison.Ordinal));
        Assert.All(forecast.Factors, f => Assert.Matches(@"(raised|lowered) the forecast by \d+\.\d marks$", f.Text));
        Assert.Equal(forecast.Factors.OrderByDescending(f => Math.Abs(f.Contribution)).Select(f => f.Factor), forecast.Factors.Select(f => f.Factor));
    }

    [Fact]
    public async Task Outlooks_of_many_students_at_once_match_each_students_overview()
    {
        await using var host = await TrainedHostAsync();
        var ids = await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>()
            .Select(r => r.StudentId).Distinct().OrderBy(s => s).Take(12).ToListAsync());
        var top = await host.WithScopeAsync(sp => Task.FromResult(sp.GetRequiredService<StudyRecs.Core.StudyPlans.StudyPlanner>().Grades[0]));
        Assert.True(await host.WithScopeAsync(sp => sp.GetRequiredService<StudentForecasts>().SetTargetGradeAsync(ids[0], top, CancellationToken.None)));

        var outlooks = await host.WithScopeAsync(sp => sp.GetRequiredService<StudentForecasts>().OutlooksAsync([.. ids, "NOBODY"], CancellationToken.None));

        Assert.False(outlooks.ContainsKey("NOBODY"));
        Assert.Equal(ids.Count, outlooks.Count);
        foreach (var id in ids)
        {
            var overview = await host.WithScopeAsync(sp => sp.GetRequiredService<StudentForecasts>().OverviewAsync(id, CancellationToken.None));
            Assert.Equal(overview.Subjects.Count, outlooks[id].SubjectCount);
            Assert.Equal(overview.WeakSubjects.Select(w => (w.Forecast.Subject, w.Forecast.PredictedMarks, w.Reason)),
                outlooks[id].WeakSubjects.Select(w => (w.Forecast.Subject, w.Forecast.PredictedMarks, w.Reason)));
        }

        // The student aiming for the top grade falls short of it somewhere.
        Assert.NotEmpty(outlooks[ids[0]].WeakSubjects);
    }

    [Fact]
    public async Task Missing_marks_and_unseen_subjects_are_forecast_and_said_so()
    {
        await using var host = await TrainedHostAsync();
        var models = await host.Services.GetRequiredService<ActiveModels>().GetAsync(CancellationToken.None);
        var forecaster = host.Services.GetRequiredService<Forecaster>();

        var forecast = forecaster.Predict(models, new ForecastInput(1, "Astrobiology", null, null, null, null, null));

        Assert.False(forecast.SubjectKnown);
        Assert.InRange(forecast.PredictedMarks, 0, 100);
        Assert.Contains(forecast.Factors, f => f.Value == "not known yet" && f.Text.Contains("not known yet", StringComparison.Ordinal));
        Assert.Throws<ModelsNotReadyException>(() => forecaster.Predict(ServingModels.None, new ForecastInput(1, "Calculus", 50, 50, 50, 50, 3)));
    }

    [Fact]
    public async Task Served_models_swap_as_a_pair_when_the_active_version_changes_and_a_broken_version_is_not_served()
    {
        await using var host = await TrainedHostAsync(trainings: 2);
        var active = host.Services.GetRequiredService<ActiveModels>();
        Assert.True(await active.RefreshAsync(CancellationToken.None));
        Assert.False(await active.RefreshAsync(CancellationToken.None));
        var before = active.Current;

        var older = await host.WithScopeAsync(async sp =>
        {
            var registry = sp.GetRequiredService<ModelRegistry>();
            var versions = await registry.ListAsync(ModelTask.Regression, CancellationToken.None);
            var target = versions.First(v => !v.IsActive).Version;
            Assert.True((await registry.ActivateAsync(ModelTask.Regression, target, "test", "roll back", CancellationToken.None)).Succeeded);
            return target;
        });

        Assert.True(await active.RefreshAsync(CancellationToken.None));
        Assert.Equal(older, active.Current.Regression!.Version);
        Assert.Same(before.Classification, active.Current.Classification);

        // A corrupt artifact made active is refused; the node keeps serving the version it had.
        var newer = before.Regression!.Version;
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            var model = await db.Set<TrainedModel>().SingleAsync(m => m.Task == ModelTask.Regression && m.Version == newer);
            model.Artifact = [1, 2, 3, 4];
            await db.SaveChangesAsync();
            return 0;
        });
        await host.WithScopeAsync(async sp =>
        {
            var registry = sp.GetRequiredService<ModelRegistry>();
            Assert.True((await registry.ActivateAsync(ModelTask.Regression, newer, "test", "forward again", CancellationToken.None)).Succeeded);
            return 0;
        });

        Assert.False(await active.RefreshAsync(CancellationToken.None));
        Assert.Equal(older, active.Current.Regression!.Version);
    }

    [Fact]
    public async Task The_audit_writer_stores_every_queued_log_when_the_host_stops()
    {
        await using var host = await CoreTestHost.StartAsync();
        var inbox = host.Services.GetRequiredService<PredictionAuditInbox>();
        var writer = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<PredictionAuditWriter>().Single();
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 1_234; i++)
        {
            await inbox.EnqueueAsync(Log(i), CancellationToken.None);
        }

        await writer.StopAsync(CancellationToken.None);

        // Logs arriving after the stop are stored directly rather than dropped.
        await inbox.EnqueueAsync(Log(9_999), CancellationToken.None);
        var stored = await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<PredictionLog>().CountAsync());
        Assert.Equal(1_235, stored);
    }

    private static PredictionLog Log(int i) => new()
    {
        AtUtc = DateTime.UtcNow,
        RequestId = $"r{i}",
        UserName = "teacher@test.local",
        Subject = "Calculus",
        Source = "api",
        InputJson = "{}",
        OutputJson = "{}",
        RegressionVersion = "v1",
        ClassificationVersion = "v1",
        PredictedGrade = "B",
    };
}
