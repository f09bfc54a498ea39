using System.Text.Json;
using StudyRecs.Cli.Engagement;
using StudyRecs.Cli.Recommend;

namespace StudyRecs.Cli.Tests.Recommend;

public sealed class RecommendEvalCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("studyrecs-recommend-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Generates_data_and_evaluates_every_algorithm_as_json_lines()
    {
        var generated = GenerateEngagementCommand.Run(new EngagementSpec(400, 120, 8_000, 3), _dir, TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, generated);

        var output = new StringWriter();
        var error = new StringWriter();
        var code = RecommendEvalCommand.Run(Path.Combine(_dir.FullName, "interactions.csv"), Path.Combine(_dir.FullName, "resources.csv"),
            Path.Combine(_dir.FullName, "students.csv"), 10, "all", 0, json: true, output, error);
        Assert.True(code == 0, error.ToString());

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["popularity", "itemknn", "ease", "als", "content", "two-tower", "hybrid", "ranker", "ranker-fasttree"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("algorithm").GetString()));
        foreach (var line in lines)
        {
            var o = JsonDocument.Parse(line).RootElement;
            foreach (var metric in new[] { "precision_at_k", "recall_at_k", "ndcg_at_k", "map_at_k", "coverage" })
            {
                Assert.InRange(o.GetProperty(metric).GetDouble(), 0, 1);
            }

            Assert.True(o.GetProperty("train_seconds").GetDouble() >= 0);
            Assert.True(o.GetProperty("users_evaluated").GetInt32() > 50);
        }

        // The hybrid and the rankers say what their inner split's held-out students chose; single models say nothing.
        var chosen = lines.Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(o => o.GetProperty("algorithm").GetString()!, o => o.TryGetProperty("chosen", out var c) ? c.GetString() : null);
        Assert.StartsWith("weights ", chosen["hybrid"], StringComparison.Ordinal);
        Assert.Contains("held-out students", chosen["hybrid"], StringComparison.Ordinal);
        Assert.Matches("^(re-ranks|serves ).*held-out students", chosen["ranker"]);
        Assert.Matches("^(re-ranks|serves ).*held-out students", chosen["ranker-fasttree"]);
        Assert.All(["popularity", "itemknn", "ease", "als", "content", "two-tower"], a => Assert.Null(chosen[a]));

        // Structure is learnable: the best personalised model beats popularity.
        var ndcg = lines.Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(o => o.GetProperty("algorithm").GetString()!, o => o.GetProperty("ndcg_at_k").GetDouble());
        Assert.True(ndcg["ease"] > ndcg["popularity"], $"ease {ndcg["ease"]} vs popularity {ndcg["popularity"]}");
    }

    [Fact]
    public void Above_the_exact_scan_limit_the_ranker_takes_its_candidates_from_an_index_and_a_bad_limit_exits_with_2()
    {
        Assert.Equal(0, GenerateEngagementCommand.Run(new EngagementSpec(400, 120, 8_000, 3), _dir, TextWriter.Null, TextWriter.Null));
        var interactions = Path.Combine(_dir.FullName, "interactions.csv");
        var items = Path.Combine(_dir.FullName, "resources.csv");
        JsonElement Evaluate(int limit)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.True(RecommendEvalCommand.Run(interactions, items, null, 10, "ranker", 0, json: true, output, error, exactScanLimit: limit) == 0, error.ToString());
            Assert.Contains("ranker candidates: ", error.ToString(), StringComparison.Ordinal);
            return JsonDocument.Parse(output.ToString()).RootElement;
        }

        var indexed = Evaluate(50);
        var scanned = Evaluate(120);
        // What serves (the re-ranking or, when it lost on the held-out students, the blend) says where the re-ranking's candidates came from.
        Assert.Contains("the 100 nearest resources in an approximate (HNSW) index over the item embeddings of als, as the catalog's 120 resources are more than the exact-scan limit of 50",
            indexed.GetProperty("candidates").GetString(), StringComparison.Ordinal);
        Assert.Contains("the blend's best 100 of all 120 resources (exact scan, up to 120 resources)", scanned.GetProperty("candidates").GetString(), StringComparison.Ordinal);

        // Retrieval changes the candidates, not the quality of what is learnable: both beat chance by far.
        Assert.True(indexed.GetProperty("ndcg_at_k").GetDouble() > 0.05, indexed.ToString());

        var refused = new StringWriter();
        Assert.Equal(2, RecommendEvalCommand.Run(interactions, items, null, 10, "ranker", 0, json: true, TextWriter.Null, refused, exactScanLimit: 1));
        Assert.Contains("--exact-scan-limit must be at least 2", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_iso_timestamps_and_files_without_weight_or_event()
    {
        var path = Write("plain.csv", "user_id,item_id,timestamp\n" + string.Join("\n",
            Enumerable.Range(0, 30).Select(i => $"u{i % 3},i{i},2025-01-{1 + (i % 28):D2}T10:00:00Z")));
        var output = new StringWriter();
        var code = RecommendEvalCommand.Run(path, null, null, 5, "popularity", 0, json: false, output, TextWriter.Null);
        Assert.Equal(0, code);
        Assert.StartsWith("popularity", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_exits_with_2_and_says_so() =>
        AssertBadInput(Path.Combine(_dir.FullName, "nope.csv"), "file not found");

    [Fact]
    public void Missing_column_exits_with_2_and_names_it() =>
        AssertBadInput(Write("nocol.csv", "user_id,item_id\nu,i\n"), "missing required column 'timestamp'");

    [Fact]
    public void Bad_timestamp_exits_with_2_and_gives_the_line() =>
        AssertBadInput(Write("badtime.csv", "user_id,item_id,timestamp\nu,i,1700000000\nu,j,yesterday\n"), "line 3: timestamp 'yesterday'");

    [Fact]
    public void Empty_file_exits_with_2() =>
        AssertBadInput(Write("empty.csv", ""), "the file is empty");

    [Fact]
    public void Header_only_file_exits_with_2() =>
        AssertBadInput(Write("header.csv", "user_id,item_id,timestamp\n"), "no interactions");

    [Fact]
    public void Content_without_items_exits_with_2()
    {
        var path = Write("few.csv", "user_id,item_id,timestamp\n" + string.Join("\n", Enumerable.Range(0, 10).Select(i => $"u,i{i},{i}")));
        var error = new StringWriter();
        Assert.Equal(2, RecommendEvalCommand.Run(path, null, null, 10, "content", 0, json: true, TextWriter.Null, error));
        Assert.Contains("items file", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user_id,level\nu,1\n", "missing required column 'weak_subjects'")]
    [InlineData("user_id,weak_subjects,level\nu,Calculus,expert-ish\n", "line 2: level 'expert-ish'")]
    [InlineData("user_id,weak_subjects\nu,Calculus\nu,Physics\n", "line 3: student 'u' appears twice")]
    [InlineData("user_id,weak_subjects\n,Calculus\n", "line 2: missing user_id")]
    [InlineData("", "the file is empty")]
    public void Bad_students_file_exits_with_2_and_says_why(string students, string expected)
    {
        var interactions = Write("ten.csv", "user_id,item_id,timestamp\n" + string.Join("\n", Enumerable.Range(0, 10).Select(i => $"u,i{i},{i}")));
        var error = new StringWriter();
        Assert.Equal(2, RecommendEvalCommand.Run(interactions, null, Write("students.csv", students), 10, "popularity", 0, json: true, TextWriter.Null, error));
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_students_file_feeds_the_ranker_and_students_without_events_are_ignored()
    {
        Assert.Equal(0, GenerateEngagementCommand.Run(new EngagementSpec(400, 120, 8_000, 3), _dir, TextWriter.Null, TextWriter.Null));
        var students = Path.Combine(_dir.FullName, "students.csv");
        File.AppendAllText(students, "NOBODY,,,Calculus,visual,casual\n");
        var interactions = Path.Combine(_dir.FullName, "interactions.csv");
        var items = Path.Combine(_dir.FullName, "resources.csv");

        string Ndcg(string? studentsFile)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.True(RecommendEvalCommand.Run(interactions, items, studentsFile, 10, "ranker", 0, json: true, output, error) == 0, error.ToString());
            var o = JsonDocument.Parse(output.ToString()).RootElement;
            return o.GetProperty("ndcg_at_k").GetRawText() + " " + o.GetProperty("chosen").GetString();
        }

        // The weak subjects change the ranker's features, so its re-rankings (and figures, on the test split or, when
        // it serves the blend, on its held-out students) differ.
        Assert.NotEqual(Ndcg(null), Ndcg(students));
    }

    [Fact]
    public void Per_student_figures_average_to_the_reported_ndcg_and_a_bad_path_exits_with_2()
    {
        Assert.Equal(0, GenerateEngagementCommand.Run(new EngagementSpec(300, 80, 5_000, 4), _dir, TextWriter.Null, TextWriter.Null));
        var interactions = Path.Combine(_dir.FullName, "interactions.csv");
        var perStudent = Path.Combine(_dir.FullName, "per-student.csv");
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(RecommendEvalCommand.Run(interactions, null, null, 10, "itemknn", 0, json: true, output, error, perStudent) == 0, error.ToString());

        var o = JsonDocument.Parse(output.ToString()).RootElement;
        var lines = File.ReadAllLines(perStudent);
        Assert.Equal("algorithm,user_id,ndcg", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(o.GetProperty("users_evaluated").GetInt32(), rows.Count);
        Assert.All(rows, r => Assert.Equal("itemknn", r[0]));
        Assert.Equal(rows.Count, rows.Select(r => r[1]).Distinct().Count());
        Assert.Equal(o.GetProperty("ndcg_at_k").GetDouble(), rows.Average(r => double.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture)), 9);

        var refused = new StringWriter();
        Assert.Equal(2, RecommendEvalCommand.Run(interactions, null, null, 10, "itemknn", 0, json: true, TextWriter.Null, refused,
            Path.Combine(_dir.FullName, "no-such-dir", "x.csv")));
        Assert.Contains("no-such-dir", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_is_deterministic_by_seed()
    {
        var a = _dir.CreateSubdirectory("a");
        var b = _dir.CreateSubdirectory("b");
        var c = _dir.CreateSubdirectory("c");
        GenerateEngagementCommand.Run(new EngagementSpec(50, 30, 500, 9), a, TextWriter.Null, TextWriter.Null);
        GenerateEngagementCommand.Run(new EngagementSpec(50, 30, 500, 9), b, TextWriter.Null, TextWriter.Null);
        GenerateEngagementCommand.Run(new EngagementSpec(50, 30, 500, 10), c, TextWriter.Null, TextWriter.Null);
        foreach (var name in new[] { "students.csv", "resources.csv", "interactions.csv" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(a.FullName, name)), File.ReadAllText(Path.Combine(b.FullName, name)));
        }

        Assert.NotEqual(File.ReadAllText(Path.Combine(a.FullName, "interactions.csv")), File.ReadAllText(Path.Combine(c.FullName, "interactions.csv")));
        var rows = File.ReadAllLines(Path.Combine(a.FullName, "interactions.csv"));
        Assert.Equal("user_id,item_id,timestamp,weight,event", rows[0]);
        Assert.Equal(500, rows.Length - 1);
        Assert.Equal("item_id,title,description,subject,topic,difficulty,type,minutes,tags", File.ReadLines(Path.Combine(a.FullName, "resources.csv")).First());
    }

    [Fact]
    public void Generator_refuses_non_positive_sizes()
    {
        var error = new StringWriter();
        Assert.Equal(2, GenerateEngagementCommand.Run(new EngagementSpec(0, 10, 10, 0), _dir, TextWriter.Null, error));
        Assert.Contains("--students", error.ToString(), StringComparison.Ordinal);
    }

    private static void AssertBadInput(string path, string expected)
    {
        var error = new StringWriter();
        var code = RecommendEvalCommand.Run(path, null, null, 10, "all", 0, json: true, TextWriter.Null, error);
        Assert.Equal(2, code);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
