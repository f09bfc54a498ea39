using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace StudyRecs.Core.Datasets;

public static class DatasetsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DatasetOptions"/> (bound from the <c>Datasets</c> section of the registered
    /// <c>IConfiguration</c>, validated at start-up), <see cref="GradebookImporter"/>, and the scoped
    /// <see cref="DatasetImportService"/>, <see cref="DatasetUploads"/>, <see cref="DatasetCatalog"/>, <see cref="DatasetLifecycle"/> and <see cref="Auditing.AuditLog"/> (they need the database registration).
    /// </summary>
    public static IServiceCollection AddStudyRecsDatasets(this IServiceCollection services)
    {
        services.AddOptions<DatasetOptions>().BindConfiguration(DatasetOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new GradebookImporter(sp.GetRequiredService<IOptions<DatasetOptions>>().Value));
        services.AddScoped<DatasetImportService>();
        services.AddScoped<DatasetCatalog>();
        services.AddScoped<DatasetHistory>();
        services.AddScoped<DatasetUploads>();
        services.AddScoped<DatasetLifecycle>();
        services.TryAddScoped<Auditing.AuditLog>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
