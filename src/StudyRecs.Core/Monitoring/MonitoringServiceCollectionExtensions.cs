using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StudyRecs.Core.Scheduling;

namespace StudyRecs.Core.Monitoring;

public static class MonitoringServiceCollectionExtensions
{
    /// <summary>
    /// Model monitoring: <see cref="MonitoringOptions"/> (section <c>Monitoring</c>, validated at start-up, the cron
    /// included), the batched forecast snapshots, drift, realised accuracy, alerts and data quality. Needs the
    /// database, dataset and training registrations; <paramref name="runSchedule"/> (the portal) also registers the
    /// daily monitoring job with the scheduler.
    /// </summary>
    public static IServiceCollection AddStudyRecsMonitoring(this IServiceCollection services, bool runSchedule = false)
    {
        services.AddStudyRecsForecastSnapshots();
        services.AddScoped<MonitoringAlerts>();
        services.AddScoped<DriftMonitor>();
        services.AddScoped<RealisedAccuracy>();
        services.AddScoped<DatasetQuality>();
        services.AddScoped<MonitoringOverview>();
        if (runSchedule)
        {
            services.AddRecurringJob(MonitoringJob.Recurring);
        }

        return services;
    }

    /// <summary>
    /// <see cref="MonitoringOptions"/> and the batched forecast snapshots (recorder, queue, writer): called by the
    /// forecast registrations, so every forecast served is kept whether or not this process runs the checks. Idempotent.
    /// </summary>
    public static IServiceCollection AddStudyRecsForecastSnapshots(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ForecastSnapshotStore)))
        {
            return services;
        }

        services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.SectionName).ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ForecastSnapshotStore>();
        services.AddSingleton<ForecastSnapshotInbox>();
        services.AddSingleton<ForecastSnapshotRecorder>();
        services.AddHostedService<ForecastSnapshotWriter>();
        return services;
    }
}
