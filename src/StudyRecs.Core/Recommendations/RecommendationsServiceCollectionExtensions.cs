using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StudyRecs.Core.Recommendations;

public static class RecommendationsServiceCollectionExtensions
{
    /// <summary>
    /// Resource recommendations: <see cref="RecommendationOptions"/> (section <c>Recommendations</c>, validated at
    /// start-up) and the batched event log. Needs the database and resource registrations.
    /// </summary>
    public static IServiceCollection AddStudyRecsRecommendations(this IServiceCollection services)
    {
        services.AddOptions<RecommendationOptions>().BindConfiguration(RecommendationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RecommendationEventInbox>();
        services.AddHostedService<RecommendationEventWriter>();
        services.AddScoped<RecommendationEventRecorder>();
        return services;
    }
}
