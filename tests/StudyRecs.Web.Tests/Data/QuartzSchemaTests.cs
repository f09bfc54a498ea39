using System.Text;
using Quartz;
using StudyRecs.Core.Scheduling;

namespace StudyRecs.Web.Tests.Data;

public class QuartzSchemaTests
{
    /// <summary>
    /// The migrations hold the job store's schema as it was when they were written. When an upgraded Quartz package
    /// ships a different script, this fails: add a migration that brings the tables to the new schema.
    /// </summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    [InlineData("sqlServer")]
    public void The_frozen_job_store_migration_matches_the_schema_of_the_quartz_package_in_use(string dialect)
    {
        var frozen = dialect switch
        {
            "sqlite" => StudyRecs.Migrations.Sqlite.Migrations.QuartzJobStore.Statements,
            "postgres" => StudyRecs.Migrations.Postgres.Migrations.QuartzJobStore.Statements,
            _ => StudyRecs.Migrations.SqlServer.Migrations.QuartzJobStore.Statements,
        };

        Assert.True(frozen.Length >= 10, "the migration creates the job store's tables");
        Assert.Equal(PackageStatements(dialect), frozen);
    }

    /// <summary>The statements of the schema script inside the Quartz package, split on its separator lines.</summary>
    private static List<string> PackageStatements(string dialect)
    {
        var name = $"Quartz.Impl.AdoJobStore.Schema.create_{dialect}.sql";
        using var stream = typeof(IScheduler).Assembly.GetManifestResourceStream(name);
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var script = reader.ReadToEnd().Replace("{0}", QuartzSchema.TablePrefix, StringComparison.Ordinal).Replace("{1}", QuartzSchema.TablePrefix, StringComparison.Ordinal);
        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (var line in script.Split('\n').Select(l => l.TrimEnd('\r')).Append("--;;"))
        {
            if (line != "--;;")
            {
                current.Append(line).Append('\n');
                continue;
            }

            // A chunk of nothing but comments (the script's header) is not a statement.
            var text = current.ToString();
            current.Clear();
            if (text.Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            {
                statements.Add(text.Trim());
            }
        }

        return statements;
    }
}
