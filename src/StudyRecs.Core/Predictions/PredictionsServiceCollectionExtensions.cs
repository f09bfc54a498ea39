using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StudyRecs.Core.Monitoring;
using StudyRecs.Core.StudyPlans;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Predictions;

public static class PredictionsServiceCollectionExtensions
{
    /// <summary>
    /// Forecasts and study plans: options (sections <c>Predictions</c>, <c>StudyPlans</c>), the node's
    /// <see cref="ActiveModels"/> and its watcher, the <see cref="Forecaster"/>, the student services and the batched
    /// prediction audit. Needs the database, dataset and training registrations.
    /// </summary>
    public static IServiceCollection AddStudyRecsPredictions(this IServiceCollection services)
    {
        services.AddOptions<PredictionOptions>().BindConfiguration(PredictionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StudyPlanOptions>().BindConfiguration(StudyPlanOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ActiveModels>();
        services.AddSingleton<IRefreshableModel>(sp => sp.GetRequiredService<ActiveModels>());
        services.AddHostedService<RefreshableModelWatcher>();
        services.AddSingleton<Forecaster>();
        services.AddScoped<StudyPlanner>();
        services.AddScoped<StudentForecasts>();
        services.AddScoped<AtRiskReport>();
        services.AddScoped<ForecastRequests>();
        services.AddMemoryCache();
        services.AddSingleton<PredictionLogStore>();
        services.AddSingleton<PredictionAuditInbox>();
        services.AddHostedService<PredictionAuditWriter>();
        services.AddScoped<PredictionAuditLog>();
        services.AddStudyRecsForecastSnapshots();
        return services;
    }
}
