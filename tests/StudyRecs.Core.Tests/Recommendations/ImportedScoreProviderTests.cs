using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Tests.Data;

namespace StudyRecs.Core.Tests.Recommendations;

/// <summary>
/// The bulk insert and the replacement of imported scores on every database provider: SQLite always, PostgreSQL when
/// STUDYRECS_TEST_POSTGRES holds a server connection string, SQL Server when STUDYRECS_TEST_SQLSERVER does.
/// </summary>
public class ImportedScoreProviderTests
{
    public static TheoryData<DatabaseProvider> Providers() => ProviderDatabase.Providers();

    [SqlServerFact]
    public Task A_set_is_bulk_inserted_replaced_whole_and_left_alone_by_a_rejected_file_on_sql_server() =>
        A_set_is_bulk_inserted_replaced_whole_and_left_alone_by_a_rejected_file(DatabaseProvider.SqlServer);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_set_is_bulk_inserted_replaced_whole_and_left_alone_by_a_rejected_file(DatabaseProvider provider)
    {
        await using var database = await ProviderDatabase.CreateAsync(provider, "scores", services =>
        {
            services.AddOptions<RecommendationOptions>();
            services.TryAddSingleton(TimeProvider.System);
            services.AddScoped<ImportedScoreImport>();
        });
        var resources = await SeedAsync(database, students: 300, resources: 40);

        // 12,000 rows: more than one bulk batch, each student's rows scattered through the file.
        var rows = new StringBuilder("\uFEFFuser_id,resource_id,score\r\n");
        for (var r = 0; r < resources.Count; r++)
        {
            for (var s = 0; s < 300; s++)
            {
                rows.Append(CultureInfo.InvariantCulture, $"S{s:000},{resources[r]},{(s * 0.001) - (r * 0.5)}\r\n");
            }
        }

        var first = await ImportAsync(database, rows.ToString());
        Assert.True(first.IsAccepted, string.Join("; ", first.Problems.Select(p => p.Message)));
        Assert.Equal((12_000L, 300, 40, false), (first.Set!.Rows, first.Set.Students, first.Set.Resources, first.Replaced));

        var rejected = await ImportAsync(database, "user_id,resource_id,score\nS001,1,0.5\nS001,1,0.7\n");
        Assert.False(rejected.IsAccepted);

        await using (var scope = database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            Assert.Equal(first.Set.Id, (await db.Set<ImportedScoreSet>().SingleAsync()).Id);
            Assert.Equal(12_000, await db.Set<ImportedScore>().CountAsync(s => s.SetId == first.Set.Id));
            var score = await db.Set<ImportedScore>().SingleAsync(s => s.StudentId == "S123" && s.ResourceId == resources[7]);
            Assert.Equal((float)((123 * 0.001) - (7 * 0.5)), score.Score);
        }

        var second = await ImportAsync(database, $"score,user_id,resource_id\n0.25,S007,{resources[3]}\n");
        Assert.True(second.Replaced);
        await using (var scope = database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            var set = await db.Set<ImportedScoreSet>().SingleAsync();
            Assert.Equal((second.Set!.Id, "ext", 1L), (set.Id, set.Label, set.Rows));
            var only = await db.Set<ImportedScore>().SingleAsync();
            Assert.Equal(("S007", resources[3], 0.25f), (only.StudentId, only.ResourceId, only.Score));
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Readers_see_the_previous_set_whole_until_the_replacement_commits(DatabaseProvider provider)
    {
        var probe = new ReplacementProbe();
        await using var database = await ProviderDatabase.CreateAsync(provider, "scoreswap", services =>
        {
            services.AddOptions<RecommendationOptions>();
            services.TryAddSingleton(TimeProvider.System);
            services.AddScoped<ImportedScoreImport>();
            services.AddSingleton<IInterceptor>(probe);
        });
        var resources = await SeedAsync(database, students: 50, resources: 10);
        var old = new StringBuilder("user_id,resource_id,score\n");
        foreach (var r in resources)
        {
            for (var s = 0; s < 50; s++)
            {
                old.Append(CultureInfo.InvariantCulture, $"S{s:000},{r},1\n");
            }
        }

        Assert.True((await ImportAsync(database, old.ToString())).IsAccepted);
        probe.Read = async () =>
        {
            // Another connection, as a portal node serving a student while the import runs.
            await using var scope = database.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            return await (from set in db.Set<ImportedScoreSet>() where set.Label == "ext" join score in db.Set<ImportedScore>() on set.Id equals score.SetId select score).CountAsync();
        };

        Assert.True((await ImportAsync(database, $"user_id,resource_id,score\nS001,{resources[0]},2\n")).Replaced);

        // The probe read in the middle of the replacement, after the old set's rows were deleted in its transaction.
        Assert.Equal([500], probe.Seen);
        probe.Read = null;
        await using var check = database.Services.CreateAsyncScope();
        Assert.Equal(1, await check.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<ImportedScore>().CountAsync());
    }

    /// <summary>Reads from another connection right after the import deleted the previous set inside its transaction.</summary>
    private sealed class ReplacementProbe : DbCommandInterceptor
    {
        public Func<Task<int>>? Read { get; set; }

        public List<int> Seen { get; } = [];

        public override async ValueTask<int> NonQueryExecutedAsync(System.Data.Common.DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (Read is { } read && command.CommandText.Contains("DELETE", StringComparison.OrdinalIgnoreCase) && command.CommandText.Contains("ImportedScoreSets", StringComparison.Ordinal))
            {
                Seen.Add(await read());
            }

            return result;
        }
    }

    private static async Task<ImportedScoreResult> ImportAsync(ProviderDatabase database, string csv)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ImportedScoreImport>()
            .ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "scores.csv", "ext", "test", CancellationToken.None);
    }

    // Students known from their events, and active resources.
    private static async Task<List<long>> SeedAsync(ProviderDatabase database, int students, int resources)
    {
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var now = DateTimeOffset.UtcNow;
        var catalog = Enumerable.Range(0, resources).Select(i => new LearningResource
        {
            Title = $"Resource {i}",
            TitleKey = $"resource {i}",
            Subject = "Calculus",
            SubjectKey = "calculus",
            Url = $"https://example.edu/r{i}",
            SearchText = $"resource {i}",
            CreatedAt = now,
            CreatedBy = "test",
            UpdatedAt = now,
            UpdatedBy = "test",
        }).ToList();
        db.AddRange(catalog);
        db.AddRange(Enumerable.Range(0, students).Select(s => new RecommendationEvent
        {
            StudentId = $"S{s:000}",
            UserName = "test",
            ResourceId = 1,
            Type = RecommendationEventType.View,
            RequestId = $"r{s}",
            AtUtc = now.UtcDateTime,
        }));
        await db.SaveChangesAsync();
        return [.. catalog.Select(r => r.Id)];
    }
}
