using System.Text;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

public class PerformanceDataGeneratorTests
{
    [Fact]
    public void The_same_seed_gives_the_same_file_and_another_seed_another()
    {
        Assert.Equal(GeneratedCsv(20, seed: 1), GeneratedCsv(20, seed: 1));
        Assert.Equal(GeneratedXlsx(20, seed: 1), GeneratedXlsx(20, seed: 1));
        Assert.NotEqual(GeneratedCsv(20, seed: 1), GeneratedCsv(20, seed: 2));
    }

    [Fact]
    public async Task One_hundred_twenty_students_give_over_a_thousand_rows_enough_to_train_with_some_current_term_rows()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(GeneratedCsv(120), "g.csv", sink: sink);

        Assert.True(report.IsAccepted, report.Summary);
        Assert.Equal(1200, report.ValidRows);
        Assert.InRange(report.LabelledRows, 1000, 1199);
        Assert.False(report.TooSmallToTrain);
        Assert.Equal(0, report.ErrorCount);
        Assert.InRange(report.ProblemCounts.Single(c => c.Rule == DatasetRules.MissingValue).Count, 1, 40);
        Assert.Contains(sink.Rows, r => r.FinalMarks is not null && r.FinalGrade is null);
    }

    [Fact]
    public async Task Final_marks_are_learnable_from_attendance_assessments_and_prior_cgpa()
    {
        var sink = new RecordingSink();
        await ImportAsync(GeneratedCsv(300, seed: 11), "g.csv", sink: sink);
        var rows = sink.Rows.Where(r => r.FinalMarks is not null && r.AssignmentMarks is not null && r.QuizMarks is not null && r.AttendancePercentage is not null).ToList();

        var features = rows.Select(r => new[] { 1, r.AssignmentMarks!.Value, r.QuizMarks!.Value, r.AttendancePercentage!.Value, r.MidtermMarks!.Value, r.PreviousCgpa!.Value }).ToList();
        var target = rows.Select(r => r.FinalMarks!.Value).ToList();
        var r2 = LinearFitR2(features, target);

        Assert.InRange(r2, 0.6, 0.99);
        Assert.True(Correlation(rows.Select(r => r.AttendancePercentage!.Value), target) > 0.1);
        Assert.True(Correlation(rows.Select(r => r.PreviousCgpa!.Value), target) > 0.3);
        var mean = rows.Average(r => r.AttendancePercentage!.Value);
        var median = rows.Select(r => r.AttendancePercentage!.Value).Order().ElementAt(rows.Count / 2);
        Assert.True(mean < median, "attendance should be skewed towards full attendance");
    }

    [Fact]
    public void Text_cells_are_written_safely_and_numbers_invariantly()
    {
        using var writer = new StringWriter();
        PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(2, Subjects: 25, Semesters: 1), writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(51, lines.Length);
        Assert.Equal(Header, lines[0]);
        Assert.Contains(lines, l => l.Contains(",Data Structures 2,", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => Encoding.UTF8.GetByteCount(l) != l.Length);
    }

    /// <summary>Ordinary least squares through the normal equations; returns R².</summary>
    private static double LinearFitR2(List<double[]> x, List<double> y)
    {
        var k = x[0].Length;
        var a = new double[k, k + 1];
        for (var n = 0; n < x.Count; n++)
        {
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                {
                    a[i, j] += x[n][i] * x[n][j];
                }

                a[i, k] += x[n][i] * y[n];
            }
        }

        for (var col = 0; col < k; col++)
        {
            var pivot = Enumerable.Range(col, k - col).MaxBy(r => Math.Abs(a[r, col]));
            for (var j = 0; j <= k; j++)
            {
                (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            }

            for (var r = 0; r < k; r++)
            {
                if (r != col)
                {
                    var f = a[r, col] / a[col, col];
                    for (var j = col; j <= k; j++)
                    {
                        a[r, j] -= f * a[col, j];
                    }
                }
            }
        }

        var beta = Enumerable.Range(0, k).Select(i => a[i, k] / a[i, i]).ToArray();
        var mean = y.Average();
        double residual = 0, total = 0;
        for (var n = 0; n < x.Count; n++)
        {
            var prediction = x[n].Zip(beta, (xi, b) => xi * b).Sum();
            residual += (y[n] - prediction) * (y[n] - prediction);
            total += (y[n] - mean) * (y[n] - mean);
        }

        return 1 - (residual / total);
    }

    private static double Correlation(IEnumerable<double> xs, IEnumerable<double> ys)
    {
        var x = xs.ToArray();
        var y = ys.ToArray();
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }
}
