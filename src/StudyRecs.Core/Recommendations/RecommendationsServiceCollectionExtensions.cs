using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Recommendations;

public static class RecommendationsServiceCollectionExtensions
{
    /// <summary>
    /// Resource recommendations: <see cref="RecommendationOptions"/> (section <c>Recommendations</c>, validated at
    /// start-up), the batched event log, the retraining and the serving (active model, online strategy choice). Needs
    /// the database, resource, training and prediction registrations;
    /// <paramref name="runSchedule"/> (the portal) also registers the hourly retraining and the nightly precomputed lists with the scheduler.
    /// </summary>
    public static IServiceCollection AddStudyRecsRecommendations(this IServiceCollection services, bool runSchedule = false)
    {
        services.AddOptions<RecommendationOptions>().BindConfiguration(RecommendationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RecommendationEventStore>();
        services.AddSingleton<RecommendationEventInbox>();
        services.AddHostedService<RecommendationEventWriter>();
        services.AddScoped<RecommendationEventRecorder>();
        services.AddScoped<RecommenderTraining>();
        services.AddScoped<RecommendationSettings>();
        services.AddScoped<RecommendationExperiments>();
        services.AddSingleton<ActiveRecommender>();
        services.AddSingleton<IRefreshableModel>(sp => sp.GetRequiredService<ActiveRecommender>());
        services.AddHostedService<RefreshableModelWatcher>();
        services.AddSingleton<IStrategyBandit>(sp => sp.GetRequiredService<IOptions<RecommendationOptions>>().Value.Bandit == "epsilon-greedy"
            ? new EpsilonGreedyBandit(sp.GetRequiredService<IOptions<RecommendationOptions>>().Value.Epsilon)
            : new ThompsonSamplingBandit());
        services.AddScoped<RecommendationService>();
        services.AddScoped<RecommendationStatistics>();
        services.AddScoped<ImportedScoreImport>();
        services.AddScoped<PrecomputedRecommendations>();
        if (runSchedule)
        {
            services.AddRecurringJob(TrainRecommenderJob.Recurring);
            services.AddRecurringJob(PrecomputeRecommendationsJob.Recurring);
        }
        return services;
    }
}
