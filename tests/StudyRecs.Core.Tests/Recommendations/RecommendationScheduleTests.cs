using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Scheduling;

namespace StudyRecs.Core.Tests.Recommendations;

public class RecommendationScheduleTests
{
    private static ServiceProvider InMemory()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o => o.InstanceName = "recs-" + Guid.NewGuid().ToString("N"));
            q.UseInMemoryStore();
        });
        return services.BuildServiceProvider();
    }

    // The one bootstrapper over the recommender's entry of the list, with the cron as configured.
    private static RecurringJobsBootstrapper Bootstrapper(ISchedulerFactory factory, string cron)
    {
        var services = new ServiceCollection().AddSingleton(Options.Create(new RecommendationOptions { RetrainCron = cron })).BuildServiceProvider();
        return new RecurringJobsBootstrapper([TrainRecommenderJob.Recurring], factory, services);
    }

    [Fact]
    public async Task Registers_one_durable_non_concurrent_job_with_the_configured_cron_and_follows_a_changed_cron()
    {
        await using var services = InMemory();
        var factory = services.GetRequiredService<ISchedulerFactory>();
        var scheduler = await factory.GetScheduler();
        try
        {
            await Bootstrapper(factory, "0 0 * * * ?").StartAsync(CancellationToken.None);
            var trigger = (ICronTrigger)(await scheduler.GetTrigger(TrainRecommenderJob.Recurring.Trigger))!;
            var firstFire = trigger.NextFireTimeUtc;
            await Bootstrapper(factory, "0 0 * * * ?").StartAsync(CancellationToken.None); // a restart changes nothing

            var job = (await scheduler.GetJobDetail(TrainRecommenderJob.Key))!;
            Assert.True(job.Durable);
            Assert.True(job.RequestsRecovery);
            Assert.True(job.ConcurrentExecutionDisallowed);
            var triggers = await scheduler.GetTriggersOfJob(TrainRecommenderJob.Key);
            var same = Assert.IsAssignableFrom<ICronTrigger>(Assert.Single(triggers));
            Assert.Equal(("0 0 * * * ?", firstFire), (same.CronExpressionString, same.NextFireTimeUtc));

            await Bootstrapper(factory, "0 30 */2 * * ?").StartAsync(CancellationToken.None);
            Assert.Equal("0 30 */2 * * ?", Assert.IsAssignableFrom<ICronTrigger>(Assert.Single(await scheduler.GetTriggersOfJob(TrainRecommenderJob.Key))).CronExpressionString);
        }
        finally
        {
            await scheduler.Shutdown();
        }
    }

    [Fact]
    public void A_cron_that_quartz_cannot_read_is_refused_at_start_up()
    {
        var options = new RecommendationOptions { RetrainCron = "every hour" };
        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), problems, validateAllProperties: true));
        Assert.Contains(problems, p => p.MemberNames.Contains(nameof(RecommendationOptions.RetrainCron)));
    }
}
