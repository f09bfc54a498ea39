using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;

namespace StudyRecs.Cli.Tests.Hosting;

/// <summary>
/// The real <c>studyrecs</c> process, as an operator runs it, on a fresh data folder (SQLite <c>studyrecs.db</c> there
/// unless <see cref="Environment"/> says otherwise). Disposing removes the folder.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("studyrecs-cli-").FullName;

    /// <summary>Environment variables of every run: the portal's settings keys, <c>Section__Key</c>.</summary>
    public Dictionary<string, string> Environment { get; }

    public CliProcess() => Environment = new()
    {
        ["Storage__DataDirectory"] = DataDirectory,
        ["Database__Provider"] = "Sqlite",
        ["ConnectionStrings__StudyRecs"] = "",
    };

    public async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "studyrecs.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in Environment)
        {
            info.Environment[key] = value;
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The accounts and data the commands wrote, read back from the same SQLite file.</summary>
    public ServiceProvider OpenDatabase()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:StudyRecs"] = $"Data Source={Path.Combine(DataDirectory, "studyrecs.db")}",
            ["Storage:DataDirectory"] = DataDirectory,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddSingleton(TimeProvider.System);
        services.AddStudyRecsDatabase(configuration);
        services.AddStudyRecsIdentity();
        return services.BuildServiceProvider();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
