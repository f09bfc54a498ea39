using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;

namespace StudyRecs.Cli.Hosting;

/// <summary>
/// The services behind the operator commands: the portal's own settings (appsettings.json beside the binary,
/// then environment variables such as <c>Database__Provider</c> and <c>ConnectionStrings__StudyRecs</c>),
/// database and account administration.
/// </summary>
internal static class CliServices
{
    public static ServiceProvider Build(Action<IServiceCollection>? extra = null) =>
        Build((services, _) => extra?.Invoke(services));

    public static ServiceProvider Build(Action<IServiceCollection, IConfiguration> extra)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        // Commands print their own results; the log only carries warnings and errors.
        services.AddLogging(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        services.AddStudyRecsDatabase(configuration);
        services.AddScoped<DatabaseMigrator>();
        services.AddStudyRecsIdentity();
        extra(services, configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
