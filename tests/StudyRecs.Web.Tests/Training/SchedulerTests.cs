using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>Pause and resume from the jobs page, and the nightly firing that skips when the data did not change.</summary>
public sealed class SchedulerTests : IDisposable
{
    private readonly PortalFactory factory = new();

    public SchedulerTests()
    {
        factory.Settings["Datasets:MinimumLabelledRowsToTrain"] = "200";
        factory.Settings["Training:CvFolds"] = "3";
    }

    public void Dispose() => factory.Dispose();

    private async Task<TrainingRun> WaitForRunAsync(Func<TrainingRun, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var run = await factory.QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().OrderByDescending(r => r.Id).FirstAsync());
            Assert.NotEqual(TrainingRunStatus.Failed, run.Status);
            if (done(run))
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Run #{run.Id} is still {run.Status} ({run.Step}).");
            await Task.Delay(300);
        }
    }

    [Fact]
    public async Task A_paused_job_holds_requested_runs_until_resumed_and_the_nightly_firing_skips_unchanged_data()
    {
        var admin = await factory.SignInAsync(Roles.Admin);
        var teacher = await PortalFactory.WithAntiforgeryHeaderAsync(await factory.SignInAsync(Roles.Teacher));

        Assert.Contains("paused", await JobsPageDriver.PressAsync(factory, "Pause"), StringComparison.Ordinal);
        var paused = await Html.GetAsync(admin, "/admin/jobs");
        Assert.Contains("Paused", paused.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Single(paused.QuerySelectorAll("main button"), b => b.TextContent.Trim() == "Resume");

        // An upload asks for a training; the paused job keeps it queued.
        Assert.Equal(HttpStatusCode.Created, (await teacher.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(40, seed: 3))).StatusCode);
        var queued = await factory.QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync());
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(TrainingRunStatus.Queued, (await factory.QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync(r => r.Id == queued.Id))).Status);
        Assert.Equal(0, await factory.QueryAsync(db => db.Set<TrainedModel>().CountAsync()));

        // Run now while paused is queued too, and says so.
        Assert.Contains("starts when you resume", await JobsPageDriver.PressAsync(factory, "Run now"), StringComparison.Ordinal);

        Assert.Contains("resumed", await JobsPageDriver.PressAsync(factory, "Resume"), StringComparison.Ordinal);

        // Both held runs go ahead, one after the other: the upload's, then Run now's (forced, so it trains again).
        await WaitForRunAsync(r => r.Id > queued.Id && r.Status == TrainingRunStatus.Succeeded);
        var runs = await factory.QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().OrderBy(r => r.Id).ToListAsync());
        Assert.Equal([TrainingRunStatus.Succeeded, TrainingRunStatus.Succeeded], runs.Select(r => r.Status));
        Assert.Equal("run now (jobs page)", runs[1].TriggeredBy);
        Assert.True(runs[1].StartedAt >= runs[0].FinishedAt, "one training at a time");
        Assert.Equal(2, await factory.QueryAsync(db => db.Set<TrainedModel>().CountAsync(m => m.TrainingRunId == queued.Id)));

        // A nightly firing (no run id, not forced) over the data the models were trained on executes and trains nothing.
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var listener = new CompletionListener();
        scheduler.ListenerManager.AddJobListener(listener, [new TrainingJobOnly()]);
        var runsBefore = await factory.QueryAsync(db => db.Set<TrainingRun>().CountAsync());
        var firings = listener.Completed;
        await JobControl.FireNowAsync(scheduler, TrainModelsJob.Key, new JobDataMap { [TrainModelsJob.NightlyKey] = "true" }, CancellationToken.None);
        await listener.WaitForAsync(firings + 1);
        Assert.Null(listener.LastError);
        Assert.Equal(runsBefore, await factory.QueryAsync(db => db.Set<TrainingRun>().CountAsync()));
    }

    private sealed class TrainingJobOnly : IMatcher<JobKey>
    {
        public bool IsMatch(JobKey key) => key.Equals(TrainModelsJob.Key);
    }

    private sealed class CompletionListener : IJobListener
    {
        private int completed;

        public string Name => "scheduler-test";

        public int Completed => Volatile.Read(ref completed);

        public Exception? LastError { get; private set; }

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            LastError = jobException;
            Interlocked.Increment(ref completed);
            return ValueTask.CompletedTask;
        }

        public async Task WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (Completed < count)
            {
                Assert.True(DateTime.UtcNow < deadline, "The job did not execute within 2 minutes.");
                await Task.Delay(100);
            }
        }
    }
}
