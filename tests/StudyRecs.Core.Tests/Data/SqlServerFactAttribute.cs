namespace StudyRecs.Core.Tests.Data;

/// <summary>
/// A test on a live SQL Server: runs when STUDYRECS_TEST_SQLSERVER holds a connection string to a server (the login
/// may create and drop databases), and is reported skipped with the reason otherwise. No SQL Server runs on this
/// project's machines or in its CI; what can be checked without one (model, migrations, every query's translation) is.
/// </summary>
public sealed class SqlServerFactAttribute : FactAttribute
{
    public const string Variable = "STUDYRECS_TEST_SQLSERVER";

    public SqlServerFactAttribute()
    {
        if (Server is null)
        {
            Skip = $"No SQL Server: set {Variable} to a connection string (e.g. \"Server=localhost;User Id=sa;Password=...;TrustServerCertificate=true\") to run the database tests on it.";
        }
    }

    /// <summary>The configured server's connection string, or null.</summary>
    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : null;
}
