using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace StudyRecs.Core.Datasets;

public static class DatasetsServiceCollectionExtensions
{
    /// <summary>Registers <see cref="DatasetOptions"/> (section <c>Datasets</c>, validated at start-up) and <see cref="GradebookImporter"/>.</summary>
    public static IServiceCollection AddStudyRecsDatasets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatasetOptions>().Bind(configuration.GetSection(DatasetOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new GradebookImporter(sp.GetRequiredService<IOptions<DatasetOptions>>().Value));
        return services;
    }
}
