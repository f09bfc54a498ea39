using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using StudyRecs.Cli.Learning;

namespace StudyRecs.Cli.Tests.Learning;

public sealed class LearnCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("learn-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Regression_holdout_prints_the_json_contract()
    {
        var path = Write("reg.csv", Rows(400, (x, r) => (3 * x[0]) + x[1] + (0.1 * r.NextDouble())), header: "a,b,c,y");
        var (code, output, error) = Invoke("--data", path, "--target", "y", "--task", "regression", "--json", "--threads", "1", "--trees", "30");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("regression", root.GetProperty("task").GetString());
        Assert.Equal("gbdt", root.GetProperty("algorithm").GetString());
        Assert.Equal(400, root.GetProperty("rows").GetInt32());
        Assert.Equal(3, root.GetProperty("features").GetInt32());
        Assert.Equal(80, root.GetProperty("test_rows").GetInt32());
        Assert.True(root.GetProperty("fit_seconds").GetDouble() >= 0);
        Assert.True(root.GetProperty("predict_seconds").GetDouble() >= 0);
        Assert.True(root.GetProperty("rows_per_second").GetDouble() > 0);
        Assert.True(root.GetProperty("r2").GetDouble() > 0.8);
        Assert.True(root.GetProperty("rmse").GetDouble() > 0);
        Assert.True(root.GetProperty("mae").GetDouble() > 0);
    }

    [Fact]
    public void Text_columns_are_one_hot_encoded_and_text_classes_are_learned()
    {
        var random = new Random(1);
        var lines = new StringBuilder("colour,score,passed\n");
        for (var i = 0; i < 300; i++)
        {
            var colour = (i % 3) switch { 0 => "red", 1 => "green", _ => "blue" };
            var score = random.NextDouble();
            var passed = colour == "red" || score > 0.8 ? "yes" : "no";
            lines.Append(CultureInfo.InvariantCulture, $"{colour},{(i % 17 == 0 ? "" : score.ToString(CultureInfo.InvariantCulture))},{passed}\n");
        }

        var path = Write("cls.csv", lines.ToString());
        var (code, output, _) = Invoke("--data", path, "--target", "passed", "--task", "binary", "--json", "--cv", "3", "--threads", "1", "--trees", "20", "--min-leaf", "3");
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(4, root.GetProperty("features").GetInt32());
        Assert.Equal(300, root.GetProperty("test_rows").GetInt32());
        Assert.True(root.GetProperty("accuracy").GetDouble() > 0.9);
        foreach (var name in new[] { "weighted_f1", "macro_f1", "log_loss", "brier" })
        {
            Assert.True(root.TryGetProperty(name, out _), name);
        }
    }

    [Theory]
    [InlineData("fasttree", "ml.net")]
    [InlineData("fastforest", "ml.net")]
    [InlineData("lightgbm", "ml.net")]
    [InlineData("gbdt", "studyrecs")]
    [InlineData("forest", "studyrecs")]
    public void Every_algorithm_of_both_libraries_learns_and_names_its_library(string algorithm, string library)
    {
        var path = Write($"lib-{algorithm}.csv", Rows(300, (x, r) => (3 * x[0]) + x[1] + (0.1 * r.NextDouble())), header: "a,b,c,y");
        var (code, output, error) = Invoke("--data", path, "--target", "y", "--task", "regression", "--algorithm", algorithm, "--json", "--threads", "1", "--trees", "30", "--min-leaf", "3");
        Assert.True(code == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(algorithm, root.GetProperty("algorithm").GetString());
        Assert.Equal(library, root.GetProperty("library").GetString());
        Assert.StartsWith(algorithm + " (", root.GetProperty("chosen").GetString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("r2").GetDouble() > 0.8, output);
    }

    [Fact]
    public void An_unknown_algorithm_is_refused_naming_the_known_ones()
    {
        var path = Write("unknown-algorithm.csv", Rows(50, (x, _) => x[0]), header: "a,b,c,y");
        var (code, _, error) = Invoke("--data", path, "--target", "y", "--task", "regression", "--algorithm", "xgboost");
        Assert.Equal(2, code);
        Assert.Contains("fasttree, fastforest, lightgbm", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_grouped_cv_and_auto_report_the_choice_and_the_spread()
    {
        var random = new Random(2);
        var lines = new StringBuilder("student,x,y,label\n");
        for (var i = 0; i < 240; i++)
        {
            var x = random.NextDouble();
            var y = random.NextDouble();
            lines.Append(CultureInfo.InvariantCulture, $"s{i % 24},{x},{y},{(x + y > 1.3 ? 2 : x + y > 0.7 ? 1 : 0)}\n");
        }

        var path = Write("groups.csv", lines.ToString());
        var (code, output, _) = Invoke("--data", path, "--target", "label", "--task", "multiclass", "--algorithm", "auto", "--cv", "4", "--repeats", "2", "--group", "student", "--json", "--threads", "2", "--trees", "20");
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("auto", root.GetProperty("algorithm").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("chosen").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("library").GetString()));
        Assert.Equal(2, root.GetProperty("features").GetInt32());
        Assert.Equal(480, root.GetProperty("test_rows").GetInt32());
        Assert.True(root.GetProperty("fold_accuracy_sd").GetDouble() >= 0);
        Assert.True(root.GetProperty("accuracy").GetDouble() > 0.7);
    }

    [Fact]
    public void Forest_prints_a_readable_table_without_json()
    {
        var path = Write("table.csv", Rows(200, (x, _) => x[0] > 0.5 ? 1 : 0), header: "a,b,c,y");
        var (code, output, _) = Invoke("--data", path, "--target", "y", "--task", "binary", "--algorithm", "forest", "--trees", "10", "--threads", "1");
        Assert.Equal(0, code);
        Assert.Contains("accuracy", output, StringComparison.Ordinal);
        Assert.Contains("forest", output, StringComparison.Ordinal);
        Assert.Contains("precision", output, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[], string> BadInputs => new()
    {
        { "missing file", ["--data", "/nonexistent/x.csv", "--target", "y", "--task", "regression"], "not found" },
        { "unknown target", ["--data", "{ok}", "--target", "nope", "--task", "regression"], "Unknown target column 'nope'" },
        { "one class", ["--data", "{one}", "--target", "y", "--task", "binary"], "only one class" },
        { "text regression target", ["--data", "{text}", "--target", "y", "--task", "regression"], "not numeric" },
        { "empty file", ["--data", "{empty}", "--target", "y", "--task", "regression"], "empty" },
        { "header only", ["--data", "{header}", "--target", "y", "--task", "regression"], "no data rows" },
        { "three classes for binary", ["--data", "{three}", "--target", "y", "--task", "binary"], "exactly two" },
        { "unknown task", ["--data", "{ok}", "--target", "y", "--task", "clustering"], "Unknown --task" },
        { "missing task", ["--data", "{ok}", "--target", "y"], "--task is required" },
        { "missing data", ["--target", "y", "--task", "regression"], "--data" },
        { "bad number", ["--data", "{ok}", "--target", "y", "--task", "regression", "--trees", "many"], "--trees must be a whole number" },
        { "bad fraction", ["--data", "{ok}", "--target", "y", "--task", "regression", "--test-fraction", "1.5"], "--test-fraction" },
        { "both splits", ["--data", "{ok}", "--target", "y", "--task", "regression", "--cv", "5", "--test-fraction", "0.2"], "not both" },
        { "unknown group", ["--data", "{ok}", "--target", "y", "--task", "regression", "--cv", "3", "--group", "who"], "Unknown group column" },
        { "unknown option", ["--data", "{ok}", "--target", "y", "--task", "regression", "--bogus"], "Unknown argument" },
        { "ragged row", ["--data", "{ragged}", "--target", "y", "--task", "regression"], "does not have 2 fields" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_exits_with_code_2_and_one_clear_message(string name, string[] args, string expected)
    {
        var files = new Dictionary<string, string>
        {
            ["{ok}"] = Write("ok.csv", "x,y\n1,2\n2,3\n3,5\n4,4\n5,6\n"),
            ["{one}"] = Write("one.csv", "x,y\n1,1\n2,1\n3,1\n"),
            ["{text}"] = Write("text.csv", "x,y\n1,a\n2,b\n"),
            ["{empty}"] = Write("empty.csv", ""),
            ["{header}"] = Write("header.csv", "x,y\n"),
            ["{three}"] = Write("three.csv", "x,y\n1,a\n2,b\n3,c\n"),
            ["{ragged}"] = Write("ragged.csv", "x,y\n1,2\n3\n"),
        };
        var resolved = args.Select(a => files.TryGetValue(a, out var p) ? p : a).ToArray();
        var (code, output, error) = Invoke(resolved);
        Assert.True(code == 2, $"{name}: exit {code}, error: {error}");
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Csv_reader_handles_quotes_semicolons_and_missing_cells()
    {
        var path = Write("quoted.csv", "\"name\";\"x\";\"y\"\n\"Smith; Ann\";1,5;2\n\"O\"\"Neil\";;3\n");
        var table = CsvTable.Read(path, 1);
        Assert.Equal(["name", "x", "y"], table.Header);
        Assert.Equal(2, table.Rows);
        Assert.Equal(["Smith; Ann", "O\"Neil"], table.Text(0));
        Assert.False(table.IsNumeric[1]); // "1,5" is not an invariant number
        Assert.True(table.IsNumeric[2]);
        Assert.Equal([2f, 3f], table.Numbers[2]);
        Assert.True(float.IsNaN(table.Numbers[1][1]));
    }

    private static (int Code, string Output, string Error) Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = LearnCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string Write(string name, IEnumerable<string> rows, string header) => Write(name, header + "\n" + string.Join("\n", rows) + "\n");

    private static IEnumerable<string> Rows(int count, Func<double[], Random, double> target)
    {
        var random = new Random(7);
        for (var i = 0; i < count; i++)
        {
            var x = new[] { random.NextDouble(), random.NextDouble(), random.NextDouble() };
            var y = target(x, random);
            yield return string.Join(',', x.Append(y).Select(v => v.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
