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
    /// start), serialising job data with System.Text.Json. On PostgreSQL and SQL Server the store is clustered: several
    /// portal nodes share one schedule, a job runs on one node only, and the jobs of a node that stops checking in are
    /// recovered by another. <paramref name="runScheduler"/> is false for the CLI, which
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
                switch (database.Provider)
                {
                    case DatabaseProvider.Postgres:
                        store.UsePostgres(configured!);
                        break;
                    case DatabaseProvider.SqlServer:
                        store.UseSqlServer(configured!);
                        break;
                    default:
                        store.UseSqlite(DatabaseServiceCollectionExtensions.SqliteConnectionString(configured, storage));
                        break;
                }

                if (database.Provider != DatabaseProvider.Sqlite)
                {
                    // A node that stops checking in for about twice this long is taken for dead: another node recovers its jobs.
                    store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(10));
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
            services.AddHostedService<InterruptedRunsRecovery>();
            services.AddRecurringJob(TrainModelsJob.Recurring);
        }

        return services;
    }
}
