using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StudyRecs.Core.Recommendations;

public static class RecommendationsServiceCollectionExtensions
{
    /// <summary>
    /// Resource recommendations: <see cref="RecommendationOptions"/> (section <c>Recommendations</c>, validated at
    /// start-up), the batched event log and the retraining. Needs the database, resource and training registrations;
    /// <paramref name="runSchedule"/> (the portal) also registers the hourly retraining with the scheduler.
    /// </summary>
    public static IServiceCollection AddStudyRecsRecommendations(this IServiceCollection services, bool runSchedule = false)
    {
        services.AddOptions<RecommendationOptions>().BindConfiguration(RecommendationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RecommendationEventInbox>();
        services.AddHostedService<RecommendationEventWriter>();
        services.AddScoped<RecommendationEventRecorder>();
        services.AddScoped<RecommenderTraining>();
        if (runSchedule)
        {
            services.AddHostedService<RecommendationScheduleBootstrapper>();
        }
        return services;
    }
}
