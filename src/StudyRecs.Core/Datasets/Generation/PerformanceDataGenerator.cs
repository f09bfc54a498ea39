using System.Globalization;

namespace StudyRecs.Core.Datasets.Generation;

/// <summary>Shape of a synthetic gradebook. Student ids run from <c>S{FirstStudent}</c> (zero-padded to five digits), so a
/// second class generated with a later <paramref name="FirstStudent"/> does not collide with the first.</summary>
public sealed record PerformanceDataSpec(int Students, int Subjects = 5, int Semesters = 2, int Seed = 42, int FirstStudent = 1)
{
    public long RowCount => (long)Students * Subjects * Semesters;

    /// <summary>The number of the last student, which must still fit in an <see cref="int"/>.</summary>
    public long LastStudent => (long)FirstStudent + Students - 1;

    /// <summary>The id of the student <paramref name="offset"/> places after the first (<c>S00001</c>, <c>S01001</c>, ...).</summary>
    public string StudentId(int offset)
    {
        var width = Math.Max(5, LastStudent.ToString(CultureInfo.InvariantCulture).Length);
        return "S" + (FirstStudent + (long)offset).ToString("D" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Realistic synthetic gradebooks with learnable structure: a latent ability and diligence per student drive prior
/// CGPA, attendance (left-skewed) and assessment marks; final marks follow from them with noise, subject difficulty
/// and an occasional bad exam (a skewed tail). About one student in seven is in a current term, whose last semester
/// has no final marks or grade yet; a few cells are left empty. The same spec always gives the same bytes.
/// </summary>
public static class PerformanceDataGenerator
{
    private static readonly string[] SubjectNames =
    [
        "Programming Fundamentals", "Data Structures", "Discrete Mathematics", "Calculus", "Linear Algebra",
        "Database Systems", "Operating Systems", "Computer Networks", "Software Engineering", "Algorithms",
        "Probability and Statistics", "Computer Architecture", "Artificial Intelligence", "Web Development",
        "Theory of Computation", "Compilers", "Computer Graphics", "Information Security", "Machine Learning",
        "Human-Computer Interaction",
    ];

    /// <summary>Rows in canonical column order (<see cref="GradebookColumns.CanonicalNames"/>); numbers as double, text as string, empty cells null.</summary>
    public static IEnumerable<object?[]> Rows(PerformanceDataSpec spec)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Students, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Subjects, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Semesters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.FirstStudent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(spec.LastStudent, int.MaxValue);
        return Generate(spec);
    }

    private static IEnumerable<object?[]> Generate(PerformanceDataSpec spec)
    {
        var rng = new Random(spec.Seed);
        var subjects = Enumerable.Range(0, spec.Subjects)
            .Select(i => i < SubjectNames.Length ? SubjectNames[i] : $"{SubjectNames[i % SubjectNames.Length]} {(i / SubjectNames.Length) + 1}")
            .ToArray();
        var difficulty = subjects.Select(_ => (rng.NextDouble() * 1.2) - 0.6).ToArray();
        var scale = GradeScale.Default;

        for (var s = 0; s < spec.Students; s++)
        {
            var id = spec.StudentId(s);
            var ability = Normal(rng);
            var diligence = (0.4 * ability) + (0.9 * Normal(rng));
            var cgpa = Clamp(2.75 + (0.5 * ability) + (0.15 * diligence) + (0.2 * Normal(rng)), 0.5, 4);
            var firstSemester = rng.Next(1, 5);
            var inCurrentTerm = rng.NextDouble() < 0.15;

            for (var k = 0; k < spec.Semesters; k++)
            {
                var semester = firstSemester + k;
                var unlabelled = inCurrentTerm && k == spec.Semesters - 1;
                double semesterTotal = 0;
                for (var j = 0; j < subjects.Length; j++)
                {
                    var d = difficulty[j];
                    var absenceMean = Math.Max(2, 9 - (3.5 * diligence));
                    var attendance = Clamp(100 - (-Math.Log(1 - rng.NextDouble()) * absenceMean), 15, 100);
                    var assignment = Clamp(64 + (11 * ability) + (7 * diligence) - (8 * d) + (8 * Normal(rng)), 0, 100);
                    var quiz = Clamp(58 + (13 * ability) + (3 * diligence) - (10 * d) + (10 * Normal(rng)), 0, 100);
                    var midterm = Clamp(54 + (15 * ability) - (11 * d) + (0.15 * (attendance - 85)) + (9 * Normal(rng)), 0, 100);
                    var final = (0.2 * assignment) + (0.15 * quiz) + (0.35 * midterm) + (0.15 * attendance)
                        + (7 * (cgpa - 2.75)) + 6 - (6 * d) + (4.5 * Normal(rng));
                    if (rng.NextDouble() < 0.03)
                    {
                        final -= 15 + (15 * rng.NextDouble());
                    }

                    final = Round1(Clamp(final, 0, 100));
                    semesterTotal += final;

                    var row = new object?[GradebookColumns.Count];
                    row[(int)GradebookColumn.StudentId] = id;
                    row[(int)GradebookColumn.Semester] = (double)semester;
                    row[(int)GradebookColumn.Subject] = subjects[j];
                    row[(int)GradebookColumn.AssignmentMarks] = Missing(rng, 0.004) ? null : Round1(assignment);
                    row[(int)GradebookColumn.QuizMarks] = Missing(rng, 0.004) ? null : Round1(quiz);
                    row[(int)GradebookColumn.AttendancePercentage] = Missing(rng, 0.004) ? null : Round1(attendance);
                    row[(int)GradebookColumn.MidtermMarks] = Round1(midterm);
                    row[(int)GradebookColumn.PreviousCgpa] = Math.Round(cgpa, 2);
                    if (!unlabelled)
                    {
                        row[(int)GradebookColumn.FinalMarks] = final;
                        row[(int)GradebookColumn.FinalGrade] = Missing(rng, 0.01) ? null : scale.GradeFor(final);
                    }

                    yield return row;
                }

                // The semester's results move the CGPA the next semester starts from.
                var semesterGpa = Clamp((semesterTotal / subjects.Length - 40) / 15, 0, 4);
                cgpa = Clamp((0.75 * cgpa) + (0.25 * semesterGpa), 0.5, 4);
            }
        }
    }

    /// <summary>Writes the gradebook as UTF-8 CSV with the canonical header.</summary>
    public static void WriteCsv(PerformanceDataSpec spec, TextWriter writer)
    {
        writer.Write(string.Join(',', GradebookColumns.CanonicalNames));
        writer.Write('\n');
        var line = new System.Text.StringBuilder(128);
        foreach (var row in Rows(spec))
        {
            line.Clear();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }

                switch (row[i])
                {
                    case double d:
                        line.Append(d.ToString("0.##", CultureInfo.InvariantCulture));
                        break;
                    case string text:
                        line.Append(SpreadsheetSafeCsv.Field(text));
                        break;
                }
            }

            line.Append('\n');
            writer.Write(line);
        }
    }

    /// <summary>Writes the gradebook as a single-sheet .xlsx workbook (sheet "Gradebook").</summary>
    public static void WriteXlsx(PerformanceDataSpec spec, Stream output) =>
        SimpleXlsxWriter.Write(output, "Gradebook", GradebookColumns.CanonicalNames, Rows(spec));

    private static bool Missing(Random rng, double probability) => rng.NextDouble() < probability;

    private static double Normal(Random rng)
    {
        // Box-Muller.
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double Clamp(double value, double min, double max) => Math.Min(max, Math.Max(min, value));

    private static double Round1(double value) => Math.Round(value, 1);
}
