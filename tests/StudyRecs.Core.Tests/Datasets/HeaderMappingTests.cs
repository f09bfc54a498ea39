using StudyRecs.Core.Datasets;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

public class HeaderMappingTests
{
    [Theory]
    [InlineData("Student ID", GradebookColumn.StudentId)]
    [InlineData("STUDENT_ID", GradebookColumn.StudentId)]
    [InlineData("  student id ", GradebookColumn.StudentId)]
    [InlineData("Roll No", GradebookColumn.StudentId)]
    [InlineData("Sem", GradebookColumn.Semester)]
    [InlineData("Course", GradebookColumn.Subject)]
    [InlineData("Assignment Marks", GradebookColumn.AssignmentMarks)]
    [InlineData("Quiz", GradebookColumn.QuizMarks)]
    [InlineData("Attendance %", GradebookColumn.AttendancePercentage)]
    [InlineData("attendance_percentage", GradebookColumn.AttendancePercentage)]
    [InlineData("Mid-Term", GradebookColumn.MidtermMarks)]
    [InlineData("CGPA", GradebookColumn.PreviousCgpa)]
    [InlineData("Previous CGPA", GradebookColumn.PreviousCgpa)]
    [InlineData("Final Marks", GradebookColumn.FinalMarks)]
    [InlineData("Final Grade", GradebookColumn.FinalGrade)]
    [InlineData("Grade", GradebookColumn.FinalGrade)]
    public void Headers_match_canonical_columns_through_aliases(string header, GradebookColumn column) =>
        Assert.Equal(column, GradebookColumns.Match(header));

    [Fact]
    public void Unknown_headers_do_not_match() => Assert.Null(GradebookColumns.Match("Hostel Block"));

    [Fact]
    public async Task A_file_with_alias_headers_in_any_order_is_read_into_canonical_fields()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync("Final Grade;CGPA;Student ID;Semester;Course;Assignment;Quiz;Attendance %;Midterm;Final Marks\nB;3,1;S9;2;Physics;70;65;90%;60;72\n", sink: sink);

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        var row = Assert.Single(sink.Rows);
        Assert.Equal(("S9", 2, "Physics", 3.1, 90.0, 72.0, "B"), (row.StudentId, row.Semester, row.Subject, row.PreviousCgpa!.Value, row.AttendancePercentage!.Value, row.FinalMarks!.Value, row.FinalGrade));
        Assert.Equal(";", report.Delimiter);
    }

    [Fact]
    public async Task All_missing_required_columns_are_named_in_one_problem()
    {
        var report = await ImportAsync("student_id,semester,subject,assignment_marks,attendance_percentage,previous_cgpa\nS1,1,Calculus,70,90,3.1\n");

        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
        var problem = Single(report, DatasetRules.MissingColumns);
        Assert.Equal("quiz_marks, midterm_marks, final_marks or final_grade", problem.Column);
        Assert.Contains("quiz_marks", problem.Message, StringComparison.Ordinal);
        Assert.Contains("midterm_marks", problem.Message, StringComparison.Ordinal);
        Assert.Equal(0, report.TotalRows);
    }

    [Fact]
    public async Task Extra_columns_are_kept_as_features_typed_numeric_or_categorical()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(
            Header + ",Study Hours,Section,Notes\n" +
            Row(id: "S1") + ",12.5,A,\n" +
            Row(id: "S2") + ",8,B,late joiner\n" +
            Row(id: "S3") + ",,A,\n", sink: sink);

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal(
            [new ExtraFeatureColumn("Study Hours", ExtraColumnType.Numeric, 2), new ExtraFeatureColumn("Section", ExtraColumnType.Categorical, 3), new ExtraFeatureColumn("Notes", ExtraColumnType.Categorical, 1)],
            report.ExtraColumns);
        Assert.Equal(["12.5", "A", null], sink.Rows[0].ExtraFeatures);
        Assert.Equal([null, "A", null], sink.Rows[2].ExtraFeatures);
    }

    [Fact]
    public async Task Two_headers_meaning_the_same_column_are_an_error()
    {
        var report = await ImportAsync(Header + ",CGPA\n" + Row() + ",3.2\n");

        var problem = Single(report, DatasetRules.DuplicateColumn);
        Assert.Contains("previous_cgpa", problem.Message, StringComparison.Ordinal);
        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
    }

    [Fact]
    public async Task Final_grade_alone_is_enough_as_label_column()
    {
        var report = await ImportAsync("student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_grade\nS1,1,Calculus,70,65,90,60,3.1,B\n");

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal(1, report.LabelledRows);
    }

    [Fact]
    public void Every_column_has_a_plain_name_and_other_names_pass_through()
    {
        var names = GradebookColumns.CanonicalNames.Select(GradebookColumns.DisplayName).ToList();

        Assert.Equal("Attendance (%)", GradebookColumns.DisplayName("attendance_percentage"));
        Assert.Equal("Previous CGPA", GradebookColumns.DisplayName("previous_cgpa"));
        Assert.Equal(GradebookColumns.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(names, n => n.Contains('_', StringComparison.Ordinal));
        Assert.Equal("lab_hours", GradebookColumns.DisplayName("lab_hours"));
    }
}
