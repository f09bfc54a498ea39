using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using StudyRecs.Core.Data;
using StudyRecs.Core.Storage;

namespace StudyRecs.Core.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    public const string SchedulerName = "StudyRecs";

    /// <summary>
    /// Quartz with a persistent job store in the application's own database (tables from our migrations, validated at
    /// start), serialising job data with System.Text.Json. On PostgreSQL the store is clustered: several portal nodes
    /// share one schedule and a job runs on one node only. <paramref name="runScheduler"/> is false for the CLI, which
    /// only adds jobs and triggers to the store for the portal's scheduler to run.
    /// </summary>
    public static IServiceCollection AddStudyRecsScheduling(this IServiceCollection services, IConfiguration configuration, bool runScheduler)
    {
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var configured = configuration.GetConnectionString(DatabaseServiceCollectionExtensions.ConnectionStringName);

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = SchedulerName;
                o.GenerateInstanceId = true;
            });
            q.UseDefaultThreadPool(2);
            q.UsePersistentStore(store =>
            {
                store.UseSystemTextJsonSerializer(_ => { });
                store.ConfigureStore(o =>
                {
                    o.TablePrefix = QuartzSchema.TablePrefix;
                    o.SchemaProvisioning = SchemaProvisioning.Validate;
                    o.StoreJobDataAsStrings = true;
                });
                if (database.Provider == DatabaseProvider.Postgres)
                {
                    store.UsePostgres(configured!);
                    store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(10));
                }
                else
                {
                    store.UseSqlite(DatabaseServiceCollectionExtensions.SqliteConnectionString(configured, storage));
                }
            });
        });

        services.AddScoped<TrainingDispatcher>();
        services.AddScoped<JobsAdministration>();
        if (runScheduler)
        {
            services.AddQuartzHostedService(o =>
            {
                o.WaitForJobsToComplete = false;
                o.AwaitApplicationStarted = true;
            });
            services.AddHostedService<ScheduleBootstrapper>();
        }

        return services;
    }
}
