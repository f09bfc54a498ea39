using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Training;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>The open jobs page follows what happens elsewhere: runs queued by others, and a job paused or resumed on another node.</summary>
public class JobsPageLiveTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private static AngleSharp.Dom.IElement TrainingCard(IRenderedComponent<Jobs> page) =>
        page.FindAll(".card").Single(c => c.QuerySelector("h2")?.TextContent.Contains("Train models", StringComparison.Ordinal) == true);

    [Fact]
    public async Task A_run_queued_elsewhere_appears_in_the_open_history()
    {
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "jobs-live@test.local");
        GridDriver.Go(ctx, "admin/jobs");
        var page = ctx.Render<Jobs>();
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".run-grid")));
        Assert.DoesNotContain("someone-else", GridDriver.Column(page, "Triggered by"));

        await Factory.QueryAsync(db =>
        {
            db.Add(new TrainingRun { TriggeredBy = "someone-else", StartedAt = DateTimeOffset.UtcNow, Status = TrainingRunStatus.Failed, Error = "stopped" });
            return db.SaveChangesAsync();
        });

        await page.WaitForAssertionAsync(() => Assert.Equal("someone-else", GridDriver.Column(page, "Triggered by") is [var newest, ..] ? newest : null));
    }

    [Fact]
    public async Task A_pause_and_resume_made_on_another_node_show_on_the_open_page()
    {
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "jobs-pause@test.local");
        GridDriver.Go(ctx, "admin/jobs");
        var page = ctx.Render<Jobs>();
        // Loaded (the card's first fact is the scheduler's status), and not paused.
        await page.WaitForAssertionAsync(() => Assert.NotEmpty(TrainingCard(page).QuerySelector(".facts dd")!.TextContent.Trim()));
        Assert.Contains("Pause", TrainingCard(page).QuerySelectorAll("button").Select(b => b.TextContent.Trim()));
        var watcher = Factory.Services.GetRequiredService<PortalActivity>();
        var pauseSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = watcher.Subscribe(changed =>
        {
            if (changed.HasFlag(ActivityKinds.Jobs))
            {
                pauseSeen.TrySetResult();
            }

            return Task.CompletedTask;
        });

        // Another node's scheduler pauses the job's trigger group in the shared job store (Quartz's own table).
        await Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO {QuartzSchema.TablePrefix}PAUSED_TRIGGER_GRPS (SCHED_NAME, TRIGGER_GROUP) VALUES ({{0}}, {{1}})",
            SchedulingServiceCollectionExtensions.SchedulerName, TrainModelsJob.Key.Group));

        await page.WaitForAssertionAsync(() => Assert.Contains("Resume", TrainingCard(page).QuerySelectorAll("button").Select(b => b.TextContent.Trim())));
        Assert.Contains("Paused", TrainingCard(page).TextContent, StringComparison.Ordinal);
        // The watcher has seen the pause (a pause and resume between two of its looks would rightly go unnoticed).
        await pauseSeen.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            $"DELETE FROM {QuartzSchema.TablePrefix}PAUSED_TRIGGER_GRPS WHERE TRIGGER_GROUP = {{0}}", TrainModelsJob.Key.Group));

        await page.WaitForAssertionAsync(() => Assert.Contains("Pause", TrainingCard(page).QuerySelectorAll("button").Select(b => b.TextContent.Trim())));
        Assert.DoesNotContain("Paused", TrainingCard(page).TextContent, StringComparison.Ordinal);
    }
}
