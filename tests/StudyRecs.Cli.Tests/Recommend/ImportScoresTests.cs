using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;

namespace StudyRecs.Cli.Tests.Recommend;

/// <summary>
/// <c>studyrecs recommend import-scores</c> and <c>delete-scores</c> as an operator runs them: a model trained elsewhere
/// on the exported interactions comes back as a strategy, and a bad file is refused whole with a precise report.
/// </summary>
public sealed class ImportScoresTests : IDisposable
{
    private readonly CliProcess _cli = new();

    private long[] _resources = [];

    private string File(string name, string content, bool bom = false)
    {
        var path = Path.Combine(_cli.DataDirectory, name);
        System.IO.File.WriteAllText(path, content, new UTF8Encoding(bom));
        return path;
    }

    /// <summary>Six active resources and a retired one; students S001-S003 and a formula-like id known from their events.</summary>
    private async Task SeedAsync()
    {
        var (exit, output, error) = await _cli.RunAsync("db", "migrate");
        Assert.True(exit == 0, output + error);
        await using var sp = _cli.OpenDatabase();
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var now = DateTimeOffset.UtcNow;
        var catalog = Enumerable.Range(0, 7).Select(i => new LearningResource
        {
            Title = $"Resource {i}",
            TitleKey = $"resource {i}",
            Subject = "Calculus",
            SubjectKey = "calculus",
            Url = $"https://example.edu/r{i}",
            SearchText = $"resource {i}",
            IsRetired = i == 6,
            CreatedAt = now,
            CreatedBy = "test",
            UpdatedAt = now,
            UpdatedBy = "test",
        }).ToList();
        db.AddRange(catalog);
        await db.SaveChangesAsync();
        _resources = [.. catalog.Select(r => r.Id)];
        var students = new[] { "S001", "S002", "S003", "=HYPERLINK(\"x\")" };
        db.AddRange(students.SelectMany((s, i) => Enumerable.Range(0, 2).Select(e => new RecommendationEvent
        {
            StudentId = s,
            UserName = "u",
            ResourceId = _resources[(i + e) % 6],
            Type = RecommendationEventType.View,
            Strategy = "popularity",
            Position = 1,
            RequestId = $"r-{i}-{e}",
            AtUtc = DateTime.UtcNow.AddDays(-1),
        })));
        await db.SaveChangesAsync();
    }

    private async Task<(ImportedScoreSet? Set, List<ImportedScore> Scores)> StoredAsync()
    {
        await using var sp = _cli.OpenDatabase();
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        return (await db.Set<ImportedScoreSet>().AsNoTracking().SingleOrDefaultAsync(),
            await db.Set<ImportedScore>().AsNoTracking().OrderBy(s => s.StudentId).ThenBy(s => s.ResourceId).ToListAsync());
    }

    private Task<(int Exit, string Output, string Error)> ImportAsync(string file, string label = "ext") =>
        _cli.RunAsync("recommend", "import-scores", "--file", file, "--label", label);

    [Fact]
    public async Task Scores_of_the_exported_students_come_back_as_a_strategy()
    {
        await SeedAsync();
        var export = Path.Combine(_cli.DataDirectory, "interactions.csv");
        Assert.Equal(0, (await _cli.RunAsync("recommend", "export-interactions", "--out", export)).Exit);
        // A model elsewhere scores every exported student; the ids are copied as the export wrote them, the
        // spreadsheet-safe apostrophe of a formula-like id included.
        var users = (await System.IO.File.ReadAllLinesAsync(export)).Skip(1)
            .Select(l => l.StartsWith('"') ? l[..(l.IndexOf("\",", 1, StringComparison.Ordinal) + 1)] : l[..l.IndexOf(',', StringComparison.Ordinal)]).Distinct().ToList();
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", users);
        Assert.Equal(4, users.Count);
        var scores = new StringBuilder("user_id,resource_id,score\r\n");
        foreach (var (user, u) in users.Select((user, u) => (user, u)))
        {
            for (var r = 0; r < 6; r++)
            {
                scores.Append(System.Globalization.CultureInfo.InvariantCulture, $"{user},{_resources[r]},{(u * 10) + r}.5\r\n");
            }
        }

        var (exit, output, error) = await ImportAsync(File("scores.csv", scores.ToString(), bom: true), "spring-2027");

        Assert.True(exit == 0, output + error);
        Assert.Equal("", error);
        Assert.StartsWith("Imported 24 scores of 4 students over 6 resources from scores.csv as imported:spring-2027.", output, StringComparison.Ordinal);
        var (set, stored) = await StoredAsync();
        Assert.Equal(("spring-2027", "scores.csv", 24L, 4, 6), (set!.Label, set.FileName, set.Rows, set.Students, set.Resources));
        Assert.Contains("import-scores", set.ImportedBy, StringComparison.Ordinal);
        Assert.Equal(24, stored.Count);
        Assert.Equal(6, stored.Count(s => s.StudentId == "=HYPERLINK(\"x\")"));
        Assert.Contains(stored, s => s.StudentId == "S001" && s.ResourceId == _resources[2] && s.Score is > 0 and < 100);
    }

    [Theory]
    [InlineData("user,item,score\nS001,1,0.5\n", "found 'user,item,score'")]
    [InlineData("user_id,resource_id\nS001,1\n", "found 'user_id,resource_id'")]
    [InlineData("user_id,resource_id,score,extra\nS001,1,0.5,x\n", "found 'user_id,resource_id,score,extra'")]
    [InlineData("user_id,user_id,score\nS001,1,0.5\n", "found 'user_id,user_id,score'")]
    public async Task A_wrong_header_is_refused_naming_what_was_found(string content, string found)
    {
        await SeedAsync();

        var (exit, output, error) = await ImportAsync(File("bad.csv", content));

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("bad.csv rejected (1 problem); nothing was imported", error, StringComparison.Ordinal);
        Assert.Contains("line 1: header: The header must be user_id,resource_id,score (in any order); " + found, error, StringComparison.Ordinal);
        Assert.Null((await StoredAsync()).Set);
    }

    [Fact]
    public async Task Scores_that_are_not_finite_numbers_are_refused_line_by_line()
    {
        await SeedAsync();
        var r = _resources;
        var content = $"user_id,resource_id,score\nS001,{r[0]},0.5\nS001,{r[1]},abc\nS001,{r[2]},NaN\nS001,{r[3]},Infinity\nS002,{r[0]},-Infinity\nS002,{r[1]},1e39\nS002,{r[2]},\nS002,{r[3]},\"1,5\"\nS003,{r[0]},-2.5E-3\n";

        var (exit, output, error) = await ImportAsync(File("scores.csv", content));

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("scores.csv rejected (7 problems)", error, StringComparison.Ordinal);
        Assert.Contains("  line 3: score: score 'abc' is not a finite number", error, StringComparison.Ordinal);
        Assert.Contains("  line 4: score: score 'NaN' is not a finite number", error, StringComparison.Ordinal);
        Assert.Contains("  line 5: score: score 'Infinity'", error, StringComparison.Ordinal);
        Assert.Contains("  line 6: score: score '-Infinity'", error, StringComparison.Ordinal);
        Assert.Contains("  line 7: score: score '1e39'", error, StringComparison.Ordinal);
        Assert.Contains("  line 8: score: score ''", error, StringComparison.Ordinal);
        Assert.Contains("  line 9: score: score '1,5'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("line 2:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("line 10:", error, StringComparison.Ordinal);
        Assert.EndsWith("Correct the file and run the command again." + Environment.NewLine, error, StringComparison.Ordinal);
        Assert.Empty((await StoredAsync()).Scores);
    }

    [Fact]
    public async Task Unknown_retired_and_malformed_resources_and_unknown_students_are_refused()
    {
        await SeedAsync();
        var r = _resources;
        var content = $"user_id,resource_id,score\nS001,{r[0]},1\nS001,999999,1\nS001,{r[6]},1\nS001,r-{r[1]},1\nS001,-{r[2]},1\nNOBODY,{r[0]},1\nNOBODY,{r[1]},1\n,{r[3]},1\nS002,{r[4]}\n";

        var (exit, _, error) = await ImportAsync(File("scores.csv", content));

        Assert.Equal(2, exit);
        Assert.StartsWith("scores.csv rejected (8 problems)", error, StringComparison.Ordinal);
        Assert.Contains("  line 3: unknown-resource: There is no resource 999999 in the catalog.", error, StringComparison.Ordinal);
        Assert.Contains($"  line 4: retired-resource: Resource {r[6]} is retired", error, StringComparison.Ordinal);
        Assert.Contains($"  line 5: resource-id: resource_id 'r-{r[1]}' is not a resource id", error, StringComparison.Ordinal);
        Assert.Contains($"  line 6: resource-id: resource_id '-{r[2]}'", error, StringComparison.Ordinal);
        Assert.Contains("  line 7: unknown-student: Student 'NOBODY' is not known", error, StringComparison.Ordinal);
        Assert.Contains("  line 8: unknown-student: Student 'NOBODY'", error, StringComparison.Ordinal);
        Assert.Contains("  line 9: user-id: user_id is empty.", error, StringComparison.Ordinal);
        Assert.Contains("  line 10: field-count: Expected 3 fields (user_id,resource_id,score), found 2.", error, StringComparison.Ordinal);
        Assert.Contains("Problems by rule:", error, StringComparison.Ordinal);
        Assert.Contains("  unknown-student: 2", error, StringComparison.Ordinal);
        Assert.Empty((await StoredAsync()).Scores);
    }

    [Fact]
    public async Task A_pair_scored_twice_is_refused_with_both_lines()
    {
        await SeedAsync();
        var r = _resources;
        var content = $"user_id,resource_id,score\nS001,{r[0]},1\nS002,{r[0]},2\n S001 ,{r[0]},3\nS001,{r[1]},4\nS001,{r[0]},5\n";

        var (exit, _, error) = await ImportAsync(File("scores.csv", content));

        Assert.Equal(2, exit);
        Assert.StartsWith("scores.csv rejected (2 problems)", error, StringComparison.Ordinal);
        Assert.Contains($"  line 4: duplicate: Student 'S001' and resource {r[0]} were scored on line 2 already; keep one score per pair.", error, StringComparison.Ordinal);
        Assert.Contains($"  line 6: duplicate: Student 'S001' and resource {r[0]} were scored on line 2 already", error, StringComparison.Ordinal);
        Assert.Empty((await StoredAsync()).Scores);
    }

    [Theory]
    [InlineData("", "file: empty-file: The file is empty: it needs the header user_id,resource_id,score")]
    [InlineData("user_id,resource_id,score\r\n\r\n", "file: no-rows: The file has the header user_id,resource_id,score but no scores.")]
    public async Task An_empty_file_or_a_header_alone_is_refused(string content, string message)
    {
        await SeedAsync();

        var (exit, output, error) = await ImportAsync(File("empty.csv", content));

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Null((await StoredAsync()).Set);
    }

    [Theory]
    [InlineData("Spring")]
    [InlineData("spring 2027")]
    [InlineData("_spring")]
    [InlineData("imported:x")]
    [InlineData("a-label-of-24-characters")]
    [InlineData("x<script>")]
    public async Task A_label_that_is_not_short_lower_case_and_safe_is_refused_before_the_file_is_read(string label)
    {
        await SeedAsync();

        var (exit, output, error) = await ImportAsync(Path.Combine(_cli.DataDirectory, "missing.csv"), label);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"--label '{label}' is not allowed: use 1 to 23 lower-case letters, digits, '-' or '_', starting with a letter or digit (e.g. spring-2027).", error.TrimEnd());
    }

    [Fact]
    public async Task The_longest_label_fits_the_strategy_column_and_a_missing_file_is_named()
    {
        await SeedAsync();
        var label = new string('z', 23);

        var missing = await ImportAsync(Path.Combine(_cli.DataDirectory, "missing.csv"), label);
        var (exit, output, error) = await ImportAsync(File("s.csv", $"user_id,resource_id,score\nS001,{_resources[0]},1\n"), label);

        Assert.Equal((2, $"File not found: {Path.Combine(_cli.DataDirectory, "missing.csv")}"), (missing.Exit, missing.Error.TrimEnd()));
        Assert.True(exit == 0, output + error);
        Assert.Contains($"as imported:{label}.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_file_leaves_the_set_in_service_untouched_and_a_valid_one_replaces_it()
    {
        await SeedAsync();
        var r = _resources;
        Assert.Equal(0, (await ImportAsync(File("v1.csv", $"user_id,resource_id,score\nS001,{r[0]},1\nS001,{r[1]},2\nS002,{r[0]},3\n"))).Exit);
        var (before, beforeScores) = await StoredAsync();

        // Mostly good rows, and one bad score at the end: nothing of it may land.
        var bad = $"user_id,resource_id,score\nS003,{r[0]},1\nS003,{r[1]},1\nS003,{r[2]},1\nS003,{r[3]},oops\n";
        var (rejectedExit, _, rejectedError) = await ImportAsync(File("v2.csv", bad));
        var (afterReject, afterRejectScores) = await StoredAsync();

        Assert.Equal(2, rejectedExit);
        Assert.Contains("nothing was imported and the set 'ext', if there is one, still serves", rejectedError, StringComparison.Ordinal);
        Assert.Equal((before!.Id, before.FileName, before.Rows), (afterReject!.Id, afterReject.FileName, afterReject.Rows));
        Assert.Equal(beforeScores.Select(s => (s.SetId, s.StudentId, s.ResourceId, s.Score)), afterRejectScores.Select(s => (s.SetId, s.StudentId, s.ResourceId, s.Score)));

        var (exit, output, error) = await ImportAsync(File("v3.csv", $"user_id,resource_id,score\nS003,{r[4]},9\nS002,{r[5]},8\n"));
        var (after, afterScores) = await StoredAsync();

        Assert.True(exit == 0, output + error);
        Assert.Contains("as imported:ext, replacing the previous set.", output, StringComparison.Ordinal);
        Assert.NotEqual(before.Id, after!.Id);
        Assert.Equal(("v3.csv", 2L), (after.FileName, after.Rows));
        Assert.Equal([(after.Id, "S002", r[5], 8f), (after.Id, "S003", r[4], 9f)], afterScores.Select(s => (s.SetId, s.StudentId, s.ResourceId, s.Score)));
    }

    [Fact]
    public async Task A_file_over_the_row_limit_is_refused_and_the_report_lists_the_first_problems_and_counts_them_all()
    {
        await SeedAsync();
        var many = new StringBuilder("user_id,resource_id,score\n");
        for (var i = 0; i < 30; i++)
        {
            many.Append(System.Globalization.CultureInfo.InvariantCulture, $"S001,{_resources[i % 6]},x{i}\n");
        }

        var (exit, _, error) = await ImportAsync(File("many.csv", many.ToString()));
        _cli.Environment["Recommendations__ImportedScoresMaxRows"] = "3";
        var (limitExit, _, limitError) = await ImportAsync(File("four.csv", $"user_id,resource_id,score\nS001,{_resources[0]},1\nS001,{_resources[1]},1\nS001,{_resources[2]},1\nS001,{_resources[3]},1\n"));

        Assert.Equal(2, exit);
        Assert.StartsWith("many.csv rejected (30 problems)", error, StringComparison.Ordinal);
        Assert.Contains("  score: 30", error, StringComparison.Ordinal);
        Assert.Contains("First 20 problems:", error, StringComparison.Ordinal);
        Assert.Contains("  line 21: score:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("line 22:", error, StringComparison.Ordinal);
        Assert.Equal(2, limitExit);
        Assert.Contains("line 5: too-many-rows: The file has more than 3 scores; split it, or raise Recommendations:ImportedScoresMaxRows.", limitError, StringComparison.Ordinal);
        Assert.Null((await StoredAsync()).Set);
    }

    [Fact]
    public async Task Delete_scores_removes_the_set_and_its_pin_names_the_sets_there_are_and_keeps_a_set_an_ab_test_plays()
    {
        await SeedAsync();
        Assert.Equal(0, (await ImportAsync(File("a.csv", $"user_id,resource_id,score\nS001,{_resources[0]},1\n"), "keep")).Exit);
        Assert.Equal(0, (await ImportAsync(File("b.csv", $"user_id,resource_id,score\nS001,{_resources[0]},1\n"), "drop")).Exit);
        await using (var sp = _cli.OpenDatabase())
        {
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            db.Add(new RecommendationSetting { Key = RecommendationSetting.PinnedStrategy, Value = "imported:drop", UpdatedBy = "admin" });
            db.Add(new RecommendationExperiment
            {
                Name = "Keep vs content",
                StrategyA = "imported:keep",
                StrategyB = "content",
                Salt = new string('0', 32),
                StartUtc = DateTime.UtcNow.AddDays(-1),
                EndUtc = new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                CreatedBy = "admin",
            });
            await db.SaveChangesAsync();
        }

        var (exit, output, error) = await _cli.RunAsync("recommend", "delete-scores", "--label", "drop");
        var (missingExit, _, missingError) = await _cli.RunAsync("recommend", "delete-scores", "--label", "drop");
        var (testedExit, _, testedError) = await _cli.RunAsync("recommend", "delete-scores", "--label", "keep");

        Assert.True(exit == 0, output + error);
        Assert.StartsWith("Deleted the imported set 'drop': imported:drop is no longer served", output, StringComparison.Ordinal);
        Assert.Equal((2, "There is no imported set 'drop'; the imported sets are: keep."), (missingExit, missingError.TrimEnd()));
        Assert.Equal((2, "imported:keep is a group of the A/B test 1 “Keep vs content” (until 2099-01-01 00:00 UTC); stop it first (studyrecs recommend ab-test stop 1), then delete the set."),
            (testedExit, testedError.TrimEnd()));
        await using (var sp = _cli.OpenDatabase())
        {
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            Assert.Equal(["keep"], await db.Set<ImportedScoreSet>().Select(s => s.Label).ToListAsync());
            Assert.Equal(1, await db.Set<ImportedScore>().CountAsync());
            Assert.Equal("", (await db.Set<RecommendationSetting>().SingleAsync()).Value);
        }
    }

    public void Dispose() => _cli.Dispose();
}
