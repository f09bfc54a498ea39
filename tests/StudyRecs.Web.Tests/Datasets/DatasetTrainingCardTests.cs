using Bunit;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Tests.Components;

namespace StudyRecs.Web.Tests.Datasets;

/// <summary>The training card of a dataset page once the run ended: each version in plain words, the run's notes, its error.</summary>
public class DatasetTrainingCardTests
{
    private static readonly DateTimeOffset Finished = new(2026, 12, 3, 14, 54, 0, TimeSpan.Zero);

    private static TrainedModel Version(ModelTask task, double score, bool active, string? notActivated = null) => new()
    {
        Version = "20261203145433",
        Task = task,
        Algorithm = "fasttree",
        SettingsJson = "{}",
        MetricsJson = "{}",
        ArtifactFormat = ArtifactFormats.MLNet,
        ArtifactSha256 = new string('0', 64),
        CreatedBy = "job",
        IsActive = active,
        NotActivatedReason = notActivated,
        DataHash = new string('0', 64),
        SelectionMetric = task == ModelTask.Regression ? "cv_rmse" : "cv_weighted_f1",
        SelectionScore = score,
    };

    [Fact]
    public async Task A_finished_run_says_how_good_each_version_is_and_whether_it_serves_in_words_not_trainer_settings()
    {
        await using var ctx = PortalComponents.Create();
        var run = new TrainingRun
        {
            Id = 7,
            Kind = TrainingRunKind.Grades,
            Status = TrainingRunStatus.Succeeded,
            TriggeredBy = "job",
            FinishedAt = Finished,
            ResultSummary = "Regression: 20261203145433 fasttree leaves=8 lr=0.1 trees=200: active; first version\n"
                + "Classification: 20261203145433 fasttree-ova leaves=8: kept inactive; scores 0.41, the active one 0.45\n"
                + "Class balance: grade F has 12 rows.",
        };

        var card = ctx.Render<DatasetTraining>(p => p
            .Add(c => c.Run, run)
            .Add(c => c.Produced, [Version(ModelTask.Regression, 5.9885, active: true), Version(ModelTask.Classification, 0.417, active: false, "it scores worse than the active version.")]));

        Assert.Contains("Run #7 succeeded at 2026-12-03 14:54 UTC.", card.Markup, StringComparison.Ordinal);
        var versions = card.FindAll(".trained-versions li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(2, versions.Count);
        Assert.Contains("forecasts are 6.0 marks off on a typical student it had not seen", versions[0], StringComparison.Ordinal);
        Assert.EndsWith("Serving forecasts now.", versions[0], StringComparison.Ordinal);
        Assert.Contains("the grade is right for about 41.7% of students", versions[1], StringComparison.Ordinal);
        Assert.EndsWith("Not serving: it scores worse than the active version.", versions[1], StringComparison.Ordinal);
        Assert.Equal(["Class balance: grade F has 12 rows."], card.FindAll(".training-note").Select(n => n.TextContent.Trim()));
        Assert.DoesNotContain("leaves=8", card.Markup, StringComparison.Ordinal);
        Assert.Empty(card.FindAll(".training-error"));
    }

    [Fact]
    public async Task A_failed_run_shows_its_error_and_no_versions()
    {
        await using var ctx = PortalComponents.Create();
        var run = new TrainingRun
        {
            Id = 8,
            Status = TrainingRunStatus.Failed,
            TriggeredBy = "job",
            FinishedAt = Finished,
            Error = "Neither task has enough labelled rows: Regression was not trained: 12 rows have final marks, 50 are needed.",
        };

        var card = ctx.Render<DatasetTraining>(p => p.Add(c => c.Run, run).Add(c => c.Produced, []));

        Assert.Contains("Run #8 failed at 2026-12-03 14:54 UTC.", card.Markup, StringComparison.Ordinal);
        Assert.Equal(run.Error, card.Find(".training-error").TextContent.Trim());
        Assert.Empty(card.FindAll(".trained-versions"));
    }
}
