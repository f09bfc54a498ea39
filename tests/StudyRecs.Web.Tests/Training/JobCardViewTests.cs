using Bunit;
using Quartz;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Training;
using StudyRecs.Web.Tests.Components;

namespace StudyRecs.Web.Tests.Training;

/// <summary>The one card both recurring jobs use on the jobs page.</summary>
public class JobCardViewTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_paused_job_shows_its_schedule_in_words_its_latest_run_and_offers_resume()
    {
        await using var ctx = PortalComponents.Create();
        var asked = new List<JobAction>();
        var card = new JobCard(new JobKey("train-recommender", "recommendation"), "Retrain the resource recommender", true, "0 0 * * * ?", "Paused", At, null);
        var run = new TrainingRun
        {
            Id = 5,
            Kind = TrainingRunKind.Recommendations,
            Status = TrainingRunStatus.Running,
            TriggeredBy = "job",
            StartedAt = At,
            Step = "Evaluating EASE on the students' later events",
            CandidateIndex = 3,
            CandidateCount = 8,
        };

        var view = ctx.Render<JobCardView>(p => p
            .Add(c => c.Title, "Retrain the recommender").Add(c => c.Card, card).Add(c => c.LastRun, run)
            .Add(c => c.When, (Microsoft.AspNetCore.Components.RenderFragment)(b => b.AddContent(0, "Runs hourly.")))
            .Add(c => c.OnAction, (JobAction a) => asked.Add(a)));

        Assert.Equal("Retrain the recommender", view.Find("h2").TextContent.Trim());
        Assert.Contains("Paused", view.Find(".mud-chip").TextContent, StringComparison.Ordinal);
        Assert.Contains("Retrain the resource recommender. Runs hourly. Paused: runs asked for meanwhile are queued", view.Find("p.muted").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Scheduler", view.Find(".facts").TextContent, StringComparison.Ordinal);
        Assert.Contains(CronText.Describe("0 0 * * * ?"), view.Find(".facts").TextContent, StringComparison.Ordinal);
        var last = view.Find(".last-run").TextContent;
        Assert.Contains("run #5 · 2026-12-03 02:00:00 UTC", last, StringComparison.Ordinal);
        Assert.Contains("Evaluating EASE on the students' later events (3 of 8)", last, StringComparison.Ordinal);

        var buttons = view.FindAll("button");
        Assert.Equal(["Run now", "Resume"], buttons.Select(b => b.TextContent.Trim()));
        await buttons[1].ClickAsync(new());
        await view.FindAll("button")[0].ClickAsync(new());
        Assert.Equal([JobAction.Resume, JobAction.Run], asked);
    }

    [Fact]
    public async Task A_job_that_never_ran_says_so_and_offers_pause()
    {
        await using var ctx = PortalComponents.Create();
        var card = new JobCard(new JobKey("train-models", "training"), "Train the grade models", false, "0 0 2 * * ?", "Normal", null, At);

        var view = ctx.Render<JobCardView>(p => p
            .Add(c => c.Title, "Train models").Add(c => c.Card, card).Add(c => c.SchedulerStatus, "Running")
            .Add(c => c.When, (Microsoft.AspNetCore.Components.RenderFragment)(b => b.AddContent(0, "Nightly."))));

        Assert.Equal("never", view.Find(".last-run").TextContent.Trim());
        Assert.Contains("Scheduler", view.Find(".facts").TextContent, StringComparison.Ordinal);
        Assert.Empty(view.FindAll(".mud-chip"));
        Assert.Equal(["Run now", "Pause"], view.FindAll("button").Select(b => b.TextContent.Trim()));
    }
}
