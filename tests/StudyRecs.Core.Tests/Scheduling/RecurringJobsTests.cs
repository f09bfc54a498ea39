using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Monitoring;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Scheduling;

/// <summary>The portal's one list of recurring jobs, scheduled by one bootstrapper.</summary>
public class RecurringJobsTests
{
    [Fact]
    public async Task Every_feature_adds_its_job_to_one_list_and_one_bootstrapper_schedules_them_with_their_crons()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o => o.InstanceName = "recurring-" + Guid.NewGuid().ToString("N"));
            q.UseInMemoryStore();
        });
        services.AddSingleton(Options.Create(new TrainingOptions { NightlyCron = "0 0 1 * * ?" }));
        services.AddSingleton(Options.Create(new RecommendationOptions { RetrainCron = "0 15 * * * ?" }));
        services.AddSingleton(Options.Create(new MonitoringOptions { Cron = "0 45 4 * * ?" }));
        services.AddRecurringJob(TrainModelsJob.Recurring).AddRecurringJob(TrainRecommenderJob.Recurring).AddRecurringJob(MonitoringJob.Recurring);
        await using var provider = services.BuildServiceProvider();

        var bootstrapper = Assert.Single(provider.GetServices<IHostedService>().OfType<RecurringJobsBootstrapper>());
        Assert.Equal(3, provider.GetServices<RecurringJob>().Count());
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        try
        {
            await bootstrapper.StartAsync(CancellationToken.None);

            async Task<(string Cron, bool Recovers, bool Durable, bool OneAtATime)> Scheduled(RecurringJob job)
            {
                var trigger = Assert.IsAssignableFrom<ICronTrigger>(Assert.Single(await scheduler.GetTriggersOfJob(job.Key)));
                Assert.Equal(job.Trigger, trigger.Key);
                var detail = (await scheduler.GetJobDetail(job.Key))!;
                Assert.Equal(job.JobType, detail.JobType);
                return (trigger.CronExpressionString!, detail.RequestsRecovery, detail.Durable, detail.ConcurrentExecutionDisallowed);
            }

            Assert.Equal(("0 0 1 * * ?", true, true, true), await Scheduled(TrainModelsJob.Recurring));
            Assert.Equal(("0 15 * * * ?", true, true, true), await Scheduled(TrainRecommenderJob.Recurring));
            Assert.Equal(("0 45 4 * * ?", false, true, true), await Scheduled(MonitoringJob.Recurring));

            // The grade job's nightly firings say they are nightly (it then trains only when the data changed).
            var nightly = (await scheduler.GetTrigger(TrainModelsJob.Recurring.Trigger))!;
            Assert.Equal("true", nightly.JobDataMap.GetString(TrainModelsJob.NightlyKey));
        }
        finally
        {
            await scheduler.Shutdown();
        }
    }
}
