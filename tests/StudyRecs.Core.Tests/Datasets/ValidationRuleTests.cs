using StudyRecs.Core.Datasets;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

public class ValidationRuleTests
{
    [Fact]
    public async Task A_clean_file_is_accepted_with_every_row_handed_to_the_sink()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(ValidCsv(12), options: new DatasetOptions { BatchSize = 5 }, sink: sink);

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal((12, 12, 12, 0), (report.TotalRows, report.ValidRows, report.LabelledRows, report.ErrorCount));
        Assert.Equal(12, sink.Rows.Count);
        Assert.Equal(3, sink.Batches);
        Assert.Equal(2, sink.Rows[0].Row);
        Assert.Empty(report.Problems);
    }

    [Theory]
    [InlineData("assignment_marks", "abc", DatasetRules.NotANumber)]
    [InlineData("assignment_marks", "101", DatasetRules.OutOfRange)]
    [InlineData("quiz_marks", "-1", DatasetRules.OutOfRange)]
    [InlineData("attendance_percentage", "120", DatasetRules.OutOfRange)]
    [InlineData("midterm_marks", "NaN", DatasetRules.NotANumber)]
    [InlineData("previous_cgpa", "4.5", DatasetRules.OutOfRange)]
    [InlineData("final_marks", "100.5", DatasetRules.OutOfRange)]
    [InlineData("semester", "0", DatasetRules.SemesterNotPositiveInteger)]
    [InlineData("semester", "2.5", DatasetRules.SemesterNotPositiveInteger)]
    [InlineData("semester", "two", DatasetRules.SemesterNotPositiveInteger)]
    [InlineData("final_grade", "Z", DatasetRules.UnknownGrade)]
    [InlineData("student_id", "", DatasetRules.Required)]
    [InlineData("subject", "", DatasetRules.Required)]
    public async Task A_bad_value_is_an_error_naming_row_column_value_and_rule(string column, string value, string rule)
    {
        var cells = Row().Split(',');
        cells[Array.IndexOf(Header.Split(','), column)] = value;
        var sink = new RecordingSink();

        var report = await ImportAsync(Csv(Row(id: "S0"), string.Join(',', cells)), sink: sink);

        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
        var problem = Single(report, rule);
        Assert.Equal((3L, column, value.Length == 0 ? null : value, ProblemSeverity.Error), (problem.Row, problem.Column, problem.Value, problem.Severity));
        Assert.Equal((2, 1), (report.TotalRows, report.ValidRows));
        Assert.Empty(sink.Rows);
    }

    [Fact]
    public async Task Configured_column_maximum_and_cgpa_scale_change_the_ranges()
    {
        var options = new DatasetOptions { AssignmentMarksMax = 20, CgpaScale = 10 };

        var report = await ImportAsync(Csv(Row(id: "S1", assignment: "18", cgpa: "8.7"), Row(id: "S2", assignment: "25")), options: options);

        var problem = Single(report, DatasetRules.OutOfRange);
        Assert.Equal((3L, "assignment_marks"), (problem.Row, problem.Column));
        Assert.Contains("0-20", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grade_that_disagrees_with_the_marks_is_a_warning_and_the_row_is_kept()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(Csv(Row(final: "91", grade: "C")), sink: sink);

        Assert.Equal(ImportOutcome.AcceptedWithWarnings, report.Outcome);
        var problem = Single(report, DatasetRules.GradeInconsistent);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Contains("A+", problem.Message, StringComparison.Ordinal);
        Assert.Single(sink.Rows);
        Assert.Equal(1, report.RowsWithWarnings);
    }

    [Fact]
    public async Task A_repeated_student_semester_subject_is_an_error_pointing_at_the_first_row()
    {
        var report = await ImportAsync(Csv(Row(id: "S1"), Row(id: "S2"), Row(id: "S1", subject: "calculus")));

        var problem = Single(report, DatasetRules.DuplicateRow);
        Assert.Equal(4, problem.Row);
        Assert.Contains("(row 2)", problem.Message, StringComparison.Ordinal);
        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
    }

    [Fact]
    public async Task The_same_student_and_subject_in_another_semester_is_not_a_duplicate()
    {
        var report = await ImportAsync(Csv(Row(semester: 1), Row(semester: 2)));

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
    }

    [Fact]
    public async Task Blank_rows_are_skipped_and_values_trimmed()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(Header + "\n\n , , ,,,,,,,\n  S1 , 1 ,  Calculus ,70,65,90,60,3.1,72, b \n\n", sink: sink);

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal((1, 3), (report.TotalRows, report.BlankRowsSkipped));
        var row = Assert.Single(sink.Rows);
        Assert.Equal(("S1", "Calculus", "B", 4L), (row.StudentId, row.Subject, row.FinalGrade, row.Row));
    }

    [Fact]
    public async Task Current_term_rows_without_final_marks_or_grade_are_valid_but_unlabelled()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(Csv(Row(id: "S1"), Row(id: "S2", final: "", grade: "")), sink: sink);

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal((2, 1), (report.ValidRows, report.LabelledRows));
        Assert.False(sink.Rows[1].IsLabelled);
        Assert.Null(sink.Rows[1].FinalMarks);
    }

    [Fact]
    public async Task An_empty_feature_cell_is_a_warning_and_the_value_is_kept_missing()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(Csv(Row(quiz: "")), sink: sink);

        Assert.Equal(ImportOutcome.AcceptedWithWarnings, report.Outcome);
        Assert.Equal("quiz_marks", Single(report, DatasetRules.MissingValue).Column);
        Assert.Null(Assert.Single(sink.Rows).QuizMarks);
    }

    [Fact]
    public async Task Too_few_labelled_rows_is_stored_but_flagged_too_small_to_train_with_the_number_needed()
    {
        var report = await ImportAsync(ValidCsv(30), options: new DatasetOptions { MinimumLabelledRowsToTrain = 100 });

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.True(report.TooSmallToTrain);
        Assert.Equal(70, report.LabelledRowsNeeded);
        Assert.Contains("70 more labelled", report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cell_longer_than_the_limit_is_an_error()
    {
        var report = await ImportAsync(Csv(Row(subject: new string('x', 300))), options: new DatasetOptions { MaxCellLength = 256 });

        var problem = Single(report, DatasetRules.CellTooLong);
        Assert.Equal("subject", problem.Column);
        Assert.True(problem.Value!.Length <= 101);
    }

    [Fact]
    public async Task A_student_id_longer_than_the_stored_width_is_an_error_even_with_a_larger_cell_limit()
    {
        var report = await ImportAsync(Csv(Row(id: new string('7', 300))), options: new DatasetOptions { MaxCellLength = 1000 });

        var problem = Single(report, DatasetRules.CellTooLong);
        Assert.Equal("student_id", problem.Column);
        Assert.Contains("at most 256", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_rows_than_the_limit_rejects_the_file()
    {
        var report = await ImportAsync(ValidCsv(20), options: new DatasetOptions { MaxRows = 10 });

        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
        Assert.Equal(12, Single(report, DatasetRules.TooManyRows).Row);
        Assert.Equal(10, report.TotalRows);
    }

    [Fact]
    public async Task A_row_with_more_cells_than_the_header_is_an_error()
    {
        var report = await ImportAsync(Csv(Row() + ",surplus"));

        Assert.Equal("surplus", Single(report, DatasetRules.ExtraCells).Value);
    }

    [Fact]
    public async Task Problems_are_listed_up_to_the_cap_but_counted_in_full()
    {
        var rows = Enumerable.Range(0, 50).Select(i => Row(id: $"S{i}", quiz: "bad")).ToArray();

        var report = await ImportAsync(Csv(rows), options: new DatasetOptions { MaxListedProblems = 10 });

        Assert.Equal(10, report.Problems.Count);
        Assert.Equal(50, report.ErrorCount);
        Assert.Equal(new RuleCount(DatasetRules.NotANumber, ProblemSeverity.Error, 50), Assert.Single(report.ProblemCounts));
    }

    [Fact]
    public async Task After_the_first_error_the_sink_gets_nothing_more_but_validation_goes_on()
    {
        var rows = Enumerable.Range(0, 40).Select(i => Row(id: $"S{i}", quiz: i is 25 or 35 ? "bad" : "60")).ToArray();
        var sink = new RecordingSink();

        var report = await ImportAsync(Csv(rows), options: new DatasetOptions { BatchSize = 10 }, sink: sink);

        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
        Assert.Equal(20, sink.Rows.Count);
        Assert.Equal(2, report.ErrorCount);
        Assert.Equal([27L, 37L], report.Problems.Select(p => p.Row));
    }

    [Fact]
    public async Task Decimal_commas_are_read_in_semicolon_files()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(Header.Replace(',', ';') + "\nS1;1;Calculus;70,5;65;90;60;3,25;72;B\n", sink: sink);

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal((70.5, 3.25), (sink.Rows[0].AssignmentMarks!.Value, sink.Rows[0].PreviousCgpa!.Value));
    }
}
