using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Tests.Training;

namespace StudyRecs.Core.Tests.Recommendations;

/// <summary>File-level problems of a score file, and what the check tolerates.</summary>
public class ImportedScoreImportTests
{
    private static Task<ImportedScoreResult> ImportAsync(CoreTestHost host, byte[] content, string label = "ext") =>
        host.WithScopeAsync(sp => sp.GetRequiredService<ImportedScoreImport>().ImportAsync(new MemoryStream(content), "scores.csv", label, "test", CancellationToken.None));

    private static async Task<long[]> SeedAsync(CoreTestHost host)
    {
        var catalog = await host.SeedCatalogAsync();
        await host.WithScopeAsync(sp => RecommendationEventStore.StoreNewAsync(sp.GetRequiredService<StudyRecsDbContext>(),
            [new RecommendationEvent { StudentId = "S1", UserName = "u", ResourceId = catalog[0].Id, Type = RecommendationEventType.View, RequestId = "q", AtUtc = host.Clock.Now.UtcDateTime }],
            CancellationToken.None));
        return [.. catalog.Select(r => r.Id)];
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_or_not_csv_is_refused_as_a_whole()
    {
        await using var host = await CoreTestHost.StartAsync();
        var r = await SeedAsync(host);
        var latin1 = Encoding.Latin1.GetBytes($"user_id,resource_id,score\nS1,{r[0]},0.5\nSé,{r[1]},0.5\n");

        var notUtf8 = await ImportAsync(host, latin1);
        var unclosed = await ImportAsync(host, Encoding.UTF8.GetBytes($"user_id,resource_id,score\nS1,{r[0]},\"0.5\nS1,{r[1]},0.4\n"));
        var tooLong = await ImportAsync(host, Encoding.UTF8.GetBytes($"user_id,resource_id,score\n{new string('x', 257)},{r[0]},0.5\n"));

        Assert.Equal(("invalid-encoding", 1L), (Assert.Single(notUtf8.Problems).Rule, notUtf8.ProblemCount));
        Assert.Equal("malformed-file", Assert.Single(unclosed.Problems).Rule);
        Assert.Equal(("user-id", 2L, "user_id is longer than 256 characters."), Assert.Single(tooLong.Problems) is var p ? (p.Rule, p.Line, p.Message) : default);
        Assert.Equal(0, await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<ImportedScoreSet>().CountAsync()));
    }

    [Fact]
    public async Task Header_case_order_and_spaces_blank_lines_and_padded_values_are_tolerated()
    {
        await using var host = await CoreTestHost.StartAsync();
        var r = await SeedAsync(host);
        var content = Encoding.UTF8.GetBytes($"\uFEFF Score , USER_ID,Resource_Id\r\n 0.5 , S1 , {r[0]} \r\n\r\n-3e2,S1,{r[1]}\r\n");

        var result = await ImportAsync(host, content);

        Assert.True(result.IsAccepted, string.Join("; ", result.Problems.Select(p => p.Message)));
        var stored = await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<ImportedScore>().OrderBy(s => s.ResourceId).ToListAsync());
        Assert.Equal([("S1", r[0], 0.5f), ("S1", r[1], -300f)], stored.Select(s => (s.StudentId, s.ResourceId, s.Score)));
    }
}
