namespace StudyRecs.Core.Datasets;

/// <summary>The canonical gradebook columns, in template order.</summary>
public enum GradebookColumn
{
    StudentId,
    Semester,
    Subject,
    AssignmentMarks,
    QuizMarks,
    AttendancePercentage,
    MidtermMarks,
    PreviousCgpa,
    FinalMarks,
    FinalGrade,
}

/// <summary>Canonical names, aliases and header matching for gradebook files.</summary>
public static class GradebookColumns
{
    /// <summary>Canonical column names (snake_case) in template order.</summary>
    public static IReadOnlyList<string> CanonicalNames { get; } =
    [
        "student_id", "semester", "subject", "assignment_marks", "quiz_marks",
        "attendance_percentage", "midterm_marks", "previous_cgpa", "final_marks", "final_grade",
    ];

    public const int Count = 10;

    /// <summary>Longest student id or subject stored (the column width of <see cref="DatasetRow"/>), whatever the cell limit.</summary>
    public const int MaxIdentifierLength = 256;

    private static readonly Dictionary<string, GradebookColumn> Aliases = BuildAliases();

    public static string CanonicalName(GradebookColumn column) => CanonicalNames[(int)column];

    private static readonly string[] DisplayNames =
    [
        "Student id", "Semester", "Subject", "Assignment marks", "Quiz marks",
        "Attendance (%)", "Midterm marks", "Previous CGPA", "Final marks", "Final grade",
    ];

    /// <summary>
    /// The column's name in plain words for pages (<c>attendance_percentage</c> → "Attendance (%)"); a name that is
    /// not a gradebook column (an extra feature column) is returned as it is.
    /// </summary>
    public static string DisplayName(string canonicalName)
    {
        for (var i = 0; i < CanonicalNames.Count; i++)
        {
            if (string.Equals(CanonicalNames[i], canonicalName, StringComparison.Ordinal))
            {
                return DisplayNames[i];
            }
        }

        return canonicalName;
    }

    /// <summary>Whether a row may leave this column empty (labels of current-term rows, and feature values reported as missing).</summary>
    public static bool IsIdentifying(GradebookColumn column) =>
        column is GradebookColumn.StudentId or GradebookColumn.Semester or GradebookColumn.Subject;

    /// <summary>
    /// Header text reduced for matching: letters and digits only, lower case, "%" read as "percentage",
    /// "#" as "number" (so "Attendance %", "attendance_percentage" and "ATTENDANCE PERCENTAGE" agree).
    /// </summary>
    public static string NormalizeHeader(string header)
    {
        var sb = new System.Text.StringBuilder(header.Length + 8);
        foreach (var c in header.Trim())
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (c == '%')
            {
                sb.Append("percentage");
            }
            else if (c == '#')
            {
                sb.Append("number");
            }
        }

        return sb.ToString();
    }

    /// <summary>The canonical column a header names, if any.</summary>
    public static GradebookColumn? Match(string header) =>
        Aliases.TryGetValue(NormalizeHeader(header), out var column) ? column : null;

    private static Dictionary<string, GradebookColumn> BuildAliases()
    {
        var map = new Dictionary<string, GradebookColumn>(StringComparer.Ordinal);
        void Add(GradebookColumn column, params string[] names)
        {
            foreach (var name in names)
            {
                // Spellings that normalise alike ("student_id", "studentid") are one alias; a clash between columns is a bug.
                if (!map.TryAdd(NormalizeHeader(name), column) && map[NormalizeHeader(name)] != column)
                {
                    throw new InvalidOperationException($"Header alias '{name}' names two columns.");
                }
            }
        }

        Add(GradebookColumn.StudentId, "student_id", "student", "student number", "student no", "studentid", "roll number", "roll no", "registration number", "reg no", "matric number", "id");
        Add(GradebookColumn.Semester, "semester", "sem", "term", "semester number", "semester no");
        Add(GradebookColumn.Subject, "subject", "course", "module", "subject name", "course name", "course code", "subject code");
        Add(GradebookColumn.AssignmentMarks, "assignment_marks", "assignment", "assignments", "assignment mark", "assignment score", "homework", "coursework");
        Add(GradebookColumn.QuizMarks, "quiz_marks", "quiz", "quizzes", "quiz mark", "quiz score");
        Add(GradebookColumn.AttendancePercentage, "attendance_percentage", "attendance", "attendance %", "attendance pct", "attendance percent", "attendance rate");
        Add(GradebookColumn.MidtermMarks, "midterm_marks", "midterm", "mid term", "midterm mark", "midterm score", "mid term marks", "mid semester", "midsem");
        Add(GradebookColumn.PreviousCgpa, "previous_cgpa", "cgpa", "prev cgpa", "prior cgpa", "previous gpa", "gpa", "cumulative gpa");
        Add(GradebookColumn.FinalMarks, "final_marks", "final", "final mark", "final score", "final exam", "final exam marks", "total marks", "marks");
        Add(GradebookColumn.FinalGrade, "final_grade", "grade", "final grade", "letter grade", "result grade");
        return map;
    }
}
