using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;

namespace StudyRecs.Cli.Tests.Recommend;

/// <summary><c>studyrecs recommend export-interactions</c> as an operator runs it, and what a model trained elsewhere reads.</summary>
public sealed class ExportInteractionsTests : IDisposable
{
    private readonly CliProcess _cli = new();

    private static readonly DateTime Start = new(2026, 9, 1, 8, 0, 0, DateTimeKind.Utc);

    private async Task SeedAsync()
    {
        await _cli.RunAsync("db", "migrate");
        await using var sp = _cli.OpenDatabase();
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var types = new[] { RecommendationEventType.Click, RecommendationEventType.View, RecommendationEventType.Complete, RecommendationEventType.Like, RecommendationEventType.Dismiss };
        for (var s = 0; s < 6; s++)
        {
            for (var e = 0; e < 6; e++)
            {
                db.Add(new RecommendationEvent
                {
                    StudentId = s == 0 ? "=HYPERLINK(\"x\")" : $"S{s:000}",
                    UserName = "u",
                    ResourceId = 1 + ((s + e) % 8),
                    Type = types[(s + e) % types.Length],
                    Strategy = "ease",
                    Position = e + 1,
                    RequestId = $"r-{s}-{e}",
                    AtUtc = Start.AddDays(e).AddMinutes(s),
                });
                // What was only shown is not an interaction.
                db.Add(new RecommendationEvent { StudentId = $"S{s:000}", UserName = "u", ResourceId = 9, Type = RecommendationEventType.Impression, RequestId = $"i-{s}-{e}", AtUtc = Start.AddDays(e) });
            }
        }

        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Exports_every_interaction_but_impressions_in_the_format_recommend_eval_reads()
    {
        await SeedAsync();
        var file = Path.Combine(_cli.DataDirectory, "interactions.csv");

        var (exit, output, error) = await _cli.RunAsync("recommend", "export-interactions", "--out", file);

        Assert.True(exit == 0, output + error);
        Assert.Contains("Wrote 36 interactions of 6 students over 8 resources", output, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal("user_id,item_id,timestamp,event,strategy,position,request_id", lines[0]);
        Assert.Equal(37, lines.Length);
        Assert.Equal("S001,3,2026-09-02T08:01:00Z,complete,ease,2,r-1-1", Assert.Single(lines, l => l.EndsWith(",r-1-1", StringComparison.Ordinal)));
        // A student id a spreadsheet would run as a formula is written as text.
        Assert.StartsWith("\"'=HYPERLINK(\"\"x\"\")\",", Assert.Single(lines, l => l.EndsWith(",r-0-0", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cli.DataDirectory, "*.partial"));

        // The file is what an evaluation elsewhere starts from.
        var (evalExit, evalOutput, evalError) = await _cli.RunAsync("recommend-eval", "--interactions", file, "--algorithm", "popularity", "--json");
        Assert.True(evalExit == 0, evalOutput + evalError);
        Assert.Contains("\"algorithm\":\"popularity\"", evalOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Since_keeps_the_later_interactions_and_replaces_an_older_file()
    {
        await SeedAsync();
        var file = Path.Combine(_cli.DataDirectory, "recent.csv");
        await File.WriteAllTextAsync(file, "old content");

        var (exit, output, _) = await _cli.RunAsync("recommend", "export-interactions", "--out", file, "--since", "2026-09-05");

        Assert.Equal(0, exit);
        Assert.Contains("Wrote 12 interactions logged since 2026-09-05 00:00 UTC", output, StringComparison.Ordinal);
        var rows = (await File.ReadAllLinesAsync(file)).Skip(1).ToList();
        Assert.Equal(12, rows.Count);
        Assert.All(rows, r => Assert.True(string.CompareOrdinal(r.Split(',')[2], "2026-09-05") >= 0, r));
    }

    [Fact]
    public async Task Bad_dates_and_missing_folders_are_refused_with_what_to_do_and_no_file()
    {
        await SeedAsync();
        var file = Path.Combine(_cli.DataDirectory, "never.csv");

        var badDate = await _cli.RunAsync("recommend", "export-interactions", "--out", file, "--since", "last tuesday");
        var noFolder = await _cli.RunAsync("recommend", "export-interactions", "--out", Path.Combine(_cli.DataDirectory, "missing", "x.csv"));
        var noOut = await _cli.RunAsync("recommend", "export-interactions");

        Assert.Equal(2, badDate.Exit);
        Assert.Contains("is not a date; give one such as 2026-09-01", badDate.Error, StringComparison.Ordinal);
        Assert.Equal(2, noFolder.Exit);
        Assert.Contains("does not exist; create it or choose another --out", noFolder.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, noOut.Exit);
        Assert.Contains("--out", noOut.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    public void Dispose() => _cli.Dispose();
}
