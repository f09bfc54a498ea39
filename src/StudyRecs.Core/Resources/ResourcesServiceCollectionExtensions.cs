using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace StudyRecs.Core.Resources;

public static class ResourcesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ResourceOptions"/> (section <c>Resources</c>, validated at start-up), the
    /// <see cref="ResourceImporter"/>, and the scoped <see cref="ResourceCatalog"/>, <see cref="ResourceImportService"/>
    /// and <see cref="StarterCatalogSeeder"/> (they need the database registration).
    /// </summary>
    public static IServiceCollection AddStudyRecsResources(this IServiceCollection services)
    {
        services.AddOptions<ResourceOptions>().BindConfiguration(ResourceOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new ResourceImporter(sp.GetRequiredService<IOptions<ResourceOptions>>().Value));
        services.AddScoped<ResourceCatalog>();
        services.AddScoped<ResourceImportService>();
        services.AddScoped<StarterCatalogSeeder>();
        services.AddScoped<StudyPlans.IStudyResourceFinder, CatalogResourceFinder>();
        services.AddSingleton<StudyLinkCache>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor, StudyLinkCacheInvalidator>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
