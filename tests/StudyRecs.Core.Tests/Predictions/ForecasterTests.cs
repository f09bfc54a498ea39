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
        // One coherent forecast: the grade is the band of the marks, and the median of the grade probabilities.
        Assert.Equal(GradeScale.Default.GradeFor(forecast.PredictedMarks), forecast.PredictedGrade);
        Assert.Equal(forecast.PredictedGrade, CoherentGrades.Median(forecast.Probabilities));
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
    public async Task An_unseen_subject_is_forecast_as_the_average_of_the_known_subjects_with_a_wider_interval_and_no_factor_naming_it()
    {
        await using var host = await TrainedHostAsync();
        var models = await host.Services.GetRequiredService<ActiveModels>().GetAsync(CancellationToken.None);
        var forecaster = host.Services.GetRequiredService<Forecaster>();
        var input = new ForecastInput(2, "Astrology", 62, 55, 71, 48, 2.7);

        var forecast = forecaster.Predict(models, input);

        Assert.False(forecast.SubjectKnown);
        var asEachKnown = models.Regression!.Schema.KnownSubjects.Select(s => forecaster.Predict(models, input with { Subject = s })).ToList();
        Assert.InRange(Math.Abs(asEachKnown.Average(f => f.PredictedMarks) - forecast.PredictedMarks), 0, 0.1); // each rounded to 0.1
        Assert.True(forecast.Interval.High - forecast.Interval.Low > asEachKnown.Max(f => f.Interval.High - f.Interval.Low));
        Assert.NotEmpty(forecast.Factors);
        Assert.DoesNotContain(forecast.Factors, f => f.Factor == "subject" || f.Text.Contains("Astrology", StringComparison.Ordinal));
        Assert.Empty(forecast.NotKnownYet);
        var unexplained = Math.Abs(forecast.PredictedMarks - (forecast.AverageMarks + forecast.Factors.Sum(f => f.Contribution)));
        Assert.InRange(unexplained, 0, 0.05 * models.Regression.Schema.Features.Count);
        Assert.Equal(GradeScale.Default.GradeFor(forecast.PredictedMarks), forecast.PredictedGrade);
        Assert.Equal(forecast.PredictedGrade, CoherentGrades.Median(forecast.Probabilities));
        Assert.Throws<ModelsNotReadyException>(() => forecaster.Predict(ServingModels.None, new ForecastInput(1, "Calculus", 50, 50, 50, 50, 3)));
    }

    [Fact]
    public async Task Inputs_not_known_yet_are_listed_as_such_and_never_named_as_raising_or_lowering_the_forecast()
    {
        await using var host = await TrainedHostAsync();
        var models = await host.Services.GetRequiredService<ActiveModels>().GetAsync(CancellationToken.None);
        var forecaster = host.Services.GetRequiredService<Forecaster>();
        var subject = models.Regression!.Schema.KnownSubjects.First();

        var partly = forecaster.Predict(models, new ForecastInput(2, subject, 70, null, 90, null, 3.1));
        var nothing = forecaster.Predict(models, new ForecastInput(1, "Astrobiology", null, null, null, null, null));

        Assert.Contains("midterm marks", partly.NotKnownYet);
        Assert.Contains("quiz marks", partly.NotKnownYet);
        Assert.DoesNotContain("attendance", partly.NotKnownYet);
        Assert.Contains("attendance", nothing.NotKnownYet);
        Assert.Contains("previous CGPA", nothing.NotKnownYet);
        foreach (var forecast in new[] { partly, nothing })
        {
            Assert.DoesNotContain(forecast.Factors, f => f.Value == "not known yet" || f.Text.Contains("not known", StringComparison.Ordinal));
            Assert.DoesNotContain(forecast.Factors, f => forecast.NotKnownYet.Contains(f.Label));
            var unexplained = Math.Abs(forecast.PredictedMarks - (forecast.AverageMarks + forecast.Factors.Sum(f => f.Contribution)));
            Assert.InRange(unexplained, 0, 0.05 * models.Regression.Schema.Features.Count);
        }
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
            return await db.Set<ModelArtifact>().Where(a => a.ModelId == model.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Bytes, new byte[] { 1, 2, 3, 4 }));
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
