using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>A training that fails for a passing reason (the database refuses the final save once) is run again by the scheduler.</summary>
public sealed class TrainingRetryTests : IDisposable
{
    private readonly FailFirstModelSave fault = new();
    private readonly PortalFactory factory;

    public TrainingRetryTests()
    {
        factory = new PortalFactory { TestServices = s => s.AddSingleton<IInterceptor>(fault) };
        factory.Settings["Datasets:MinimumLabelledRowsToTrain"] = "200";
        factory.Settings["Training:CvFolds"] = "3";
    }

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task A_transient_failure_is_retried_with_back_off_on_the_same_run_which_then_succeeds()
    {
        var teacher = await PortalFactory.WithAntiforgeryHeaderAsync(await factory.SignInAsync(Roles.Teacher));
        Assert.Equal(HttpStatusCode.Created, (await teacher.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(40, seed: 11))).StatusCode);

        var sawFailure = false;
        // Two trainings and a 30 s back-off: generous, because a loaded 2-core machine trains several times slower.
        var deadline = DateTime.UtcNow.AddMinutes(8);
        TrainingRun run;
        while (true)
        {
            await using (var scope = factory.Services.CreateAsyncScope())
            {
                run = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<TrainingRun>().AsNoTracking().SingleAsync();
            }

            if (run.Status == TrainingRunStatus.Failed)
            {
                Assert.Contains("simulated", run.Error, StringComparison.Ordinal);
                sawFailure = true;
            }

            if (run.Status == TrainingRunStatus.Succeeded)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Run #{run.Id} is {run.Status} after 8 minutes: {run.Error}");
            await Task.Delay(200);
        }

        Assert.True(sawFailure, "the first attempt failed and was shown as failed");
        Assert.Equal(1, fault.Thrown);
        Assert.True(fault.SecondAttemptAfter >= TimeSpan.FromSeconds(25), $"the retry waited {fault.SecondAttemptAfter} (back-off of 30 s)");
        await using var check = factory.Services.CreateAsyncScope();
        var models = await check.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<TrainedModel>().AsNoTracking().ToListAsync();
        Assert.Equal(2, models.Count);
        Assert.All(models, m => Assert.Equal(run.Id, m.TrainingRunId));
    }

    /// <summary>Refuses the first save that stores trained models, as a dropped connection would.</summary>
    private sealed class FailFirstModelSave : SaveChangesInterceptor
    {
        private int thrown;
        private DateTime firstAt;

        public int Thrown => Volatile.Read(ref thrown);

        /// <summary>Time from the refused save to the next save that stores models.</summary>
        public TimeSpan SecondAttemptAfter { get; private set; }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context?.ChangeTracker.Entries<TrainedModel>().Any(e => e.State == EntityState.Added) == true)
            {
                if (Interlocked.CompareExchange(ref thrown, 1, 0) == 0)
                {
                    firstAt = DateTime.UtcNow;
                    throw new DbUpdateException("simulated: the connection to the database was lost");
                }

                SecondAttemptAfter = DateTime.UtcNow - firstAt;
            }

            return ValueTask.FromResult(result);
        }
    }
}
