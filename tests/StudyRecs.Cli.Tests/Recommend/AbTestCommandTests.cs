using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;

namespace StudyRecs.Cli.Tests.Recommend;

/// <summary><c>studyrecs recommend ab-test</c> and <c>recommend precompute</c> as an operator runs them.</summary>
public sealed class AbTestCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    private static string Day(int offset) => DateTime.UtcNow.Date.AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_operator_starts_lists_reads_and_stops_a_test_and_bad_input_is_one_clear_line()
    {
        var (exit, output, _) = await _cli.RunAsync("recommend", "ab-test", "list");
        Assert.Equal(0, exit);
        Assert.StartsWith("No A/B test yet. Start one with: studyrecs recommend ab-test start", output, StringComparison.Ordinal);

        (exit, _, var error) = await _cli.RunAsync("recommend", "ab-test", "start", "--name", "t", "--a", "popularity", "--b", "fallback", "--end", "31/12/2026");
        Assert.Equal((2, "--end '31/12/2026' is not a date; write it as 2026-12-31."), (exit, error.Trim()));
        (exit, _, error) = await _cli.RunAsync("recommend", "ab-test", "start", "--name", "t", "--a", "magic", "--b", "fallback", "--end", Day(7));
        Assert.Equal(2, exit);
        Assert.StartsWith("The test was not started: Group A: the active model cannot serve “magic”; choose one of fallback", error.Trim(), StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));

        (exit, output, error) = await _cli.RunAsync("recommend", "ab-test", "start", "--name", "Popularity or fallback", "--a", "popularity", "--b", "fallback", "--end", Day(7), "--by", "ops");
        Assert.True(exit == 0, error);
        Assert.StartsWith($"A/B test 1 “Popularity or fallback”: group A gets popularity, group B fallback, {Day(0)} to {Day(7)} (running).", output, StringComparison.Ordinal);
        (exit, _, error) = await _cli.RunAsync("recommend", "ab-test", "start", "--name", "Overlap", "--a", "content", "--b", "fallback", "--start", Day(3), "--end", Day(9));
        Assert.Equal(2, exit);
        Assert.Contains("“Popularity or fallback” runs from", error, StringComparison.Ordinal);

        (exit, output, _) = await _cli.RunAsync("recommend", "ab-test", "list", "--json");
        Assert.Equal(0, exit);
        using (var list = JsonDocument.Parse(output))
        {
            var test = Assert.Single(list.RootElement.EnumerateArray());
            Assert.Equal(("Popularity or fallback", "popularity", "fallback", "running"),
                (test.GetProperty("name").GetString(), test.GetProperty("strategy_a").GetString(), test.GetProperty("strategy_b").GetString(), test.GetProperty("status").GetString()));
        }

        (exit, output, _) = await _cli.RunAsync("recommend", "ab-test", "show", "1");
        Assert.Equal(0, exit);
        Assert.Contains("Group A (popularity): 0 students served", output, StringComparison.Ordinal);
        Assert.Contains("Too early to compare", output, StringComparison.Ordinal);
        (exit, output, _) = await _cli.RunAsync("recommend", "ab-test", "show", "1", "--json");
        using (var shown = JsonDocument.Parse(output))
        {
            Assert.Equal(["A", "B"], shown.RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group").GetString()));
            Assert.False(shown.RootElement.GetProperty("ctr_difference").GetProperty("significant").GetBoolean());
            Assert.Equal(JsonValueKind.Null, shown.RootElement.GetProperty("ctr_difference").GetProperty("p_value").ValueKind);
        }

        (exit, _, error) = await _cli.RunAsync("recommend", "ab-test", "show", "x1");
        Assert.Equal((2, "There is no A/B test 'x1'; see studyrecs recommend ab-test list."), (exit, error.Trim()));

        (exit, output, _) = await _cli.RunAsync("recommend", "ab-test", "stop", "1", "--by", "ops");
        Assert.Equal((0, "A/B test 1 “Popularity or fallback” stopped."), (exit, output.Trim()));
        (exit, _, error) = await _cli.RunAsync("recommend", "ab-test", "stop", "1");
        Assert.Equal((2, "A/B test 1 “Popularity or fallback” is already over (stopped)."), (exit, error.Trim()));

        await using var sp = _cli.OpenDatabase();
        await using var scope = sp.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<RecommendationExperiment>().AsNoTracking().SingleAsync();
        Assert.Equal(("cli:ops", "cli:ops"), (stored.CreatedBy, stored.StoppedBy));
    }

    [Fact]
    public async Task Precompute_writes_the_lists_of_the_students_active_lately()
    {
        await _cli.RunAsync("db", "migrate");
        await using (var sp = _cli.OpenDatabase())
        {
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            foreach (var (student, days) in new[] { ("S1", 1), ("S2", 3), ("OLD", 90) })
            {
                db.Add(new RecommendationEvent { StudentId = student, UserName = "u", ResourceId = 1, Type = RecommendationEventType.Click, RequestId = "r-" + student, AtUtc = DateTime.UtcNow.AddDays(-days) });
            }

            await db.SaveChangesAsync();
        }

        var (exit, output, error) = await _cli.RunAsync("recommend", "precompute");

        Assert.True(exit == 0, error);
        Assert.StartsWith("2 of 2 active students' lists written in", output.Trim(), StringComparison.Ordinal);
        Assert.Contains("for version none (fallback chain); 0 old list(s) removed.", output, StringComparison.Ordinal);
        await using (var sp = _cli.OpenDatabase())
        {
            await using var scope = sp.CreateAsyncScope();
            var lists = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<PrecomputedRecommendationList>().AsNoTracking().OrderBy(l => l.StudentId).ToListAsync();
            Assert.Equal(["S1", "S2"], lists.Select(l => l.StudentId));
            Assert.All(lists, l => Assert.Equal("fallback", l.Strategy));
        }
    }

    public void Dispose() => _cli.Dispose();
}
