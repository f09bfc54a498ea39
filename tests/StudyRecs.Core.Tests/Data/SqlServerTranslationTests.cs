using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;
using StudyRecs.Tests.Databases;

namespace StudyRecs.Core.Tests.Data;

/// <summary>
/// SQL Server without a server: the model builds and scripts, its queries generate T-SQL, and the check that every test
/// host installs (<see cref="SqlServerQueryCheck"/>) fails a query SQL Server cannot translate.
/// </summary>
public class SqlServerTranslationTests
{
    [Fact]
    public async Task A_query_sql_server_cannot_translate_fails_where_it_runs_on_another_provider()
    {
        await using var database = await ProviderDatabase.CreateAsync(DatabaseProvider.Sqlite, "translation");
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();

        // GLOB is SQLite's own: fine there, untranslatable on SQL Server.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            db.Set<DatasetRow>().Where(r => EF.Functions.Glob(r.StudentId, "S*")).CountAsync());
        Assert.Contains("SQL Server cannot run", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_and_bulk_updates_that_sql_server_translates_run_unhindered()
    {
        await using var database = await ProviderDatabase.CreateAsync(DatabaseProvider.Sqlite, "translation");
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var before = SqlServerQueryCheck.Checked;
        var task = ModelTask.Regression;

        Assert.Empty(await db.Set<TrainedModel>().Where(m => m.Task == task && m.IsActive).Select(m => new { m.Id, m.Version }).ToListAsync());
        Assert.Equal(0, await db.Set<UploadedDataset>().Where(d => d.Status == DatasetStatus.Training)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DatasetStatus.Accepted)));

        Assert.True(SqlServerQueryCheck.Checked >= before + 2, "both queries were translated for SQL Server");
    }

    [Fact]
    public void The_sql_server_model_scripts_its_filtered_indexes_in_t_sql_and_generates_query_sql()
    {
        using var db = MigrationScripts.OfflineContext(DatabaseProvider.SqlServer);

        var script = db.Database.GenerateCreateScript();
        Assert.Contains("CREATE UNIQUE INDEX [IX_TrainedModels_Task_Active] ON [TrainedModels] ([Task]) WHERE [IsActive] = 1;", script, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX [IX_AspNetUsers_StudentId] ON [AspNetUsers] ([StudentId]) WHERE [StudentId] IS NOT NULL;", script, StringComparison.Ordinal);
        Assert.DoesNotContain("TRUE", script, StringComparison.Ordinal);

        var task = ModelTask.Regression;
        var sql = db.Set<TrainedModel>().Where(m => m.Task == task && m.IsActive).OrderByDescending(m => m.Id).Select(m => m.Version).Take(1).ToQueryString();
        Assert.Contains("SELECT TOP(@p) [t].[Version]", sql, StringComparison.Ordinal);
        Assert.Contains("[t].[IsActive] = CAST(1 AS bit)", sql, StringComparison.Ordinal);
    }
}
