using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StudyRecs.Core.Training;

public static class TrainingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TrainingOptions"/> (section <c>Training</c>, validated at start-up) and the scoped
    /// <see cref="TrainingPipeline"/>, <see cref="ModelRegistry"/>, <see cref="ModelActivations"/>, <see cref="ModelPins"/>, the history queries <see cref="TrainingRunHistory"/> and <see cref="ActivationLog"/>, and <see cref="Auditing.AuditLog"/>; they need the database and dataset registrations.
    /// </summary>
    public static IServiceCollection AddStudyRecsTraining(this IServiceCollection services)
    {
        services.AddOptions<TrainingOptions>().BindConfiguration(TrainingOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<TrainingPipeline>();
        services.AddScoped<ModelRegistry>();
        services.AddScoped<ModelActivations>();
        services.AddScoped<ModelPins>();
        services.AddScoped<TrainingRunHistory>();
        services.AddScoped<ActivationLog>();
        services.TryAddScoped<Auditing.AuditLog>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
