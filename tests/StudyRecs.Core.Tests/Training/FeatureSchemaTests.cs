using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Training;

public sealed class FeatureSchemaTests
{
    [Fact]
    public void Builds_numeric_one_hot_extra_and_derived_features_and_encodes_rows_the_same_after_a_json_round_trip()
    {
        var rows = Enumerable.Range(0, 40).Select(i => Row(
            student: $"S{i}", subject: i % 2 == 0 ? "Calculus" : "Algorithms", semester: 1 + (i % 2),
            assignment: 60 + (i % 10), quiz: 50 + (i % 7), midterm: 40 + i, attendance: 50 + i,
            extras: i == 39 ? """{"Section":"Z","StudyHours":null,"Notes":null}""" : $$"""{"Section":"{{(i % 2 == 0 ? "A" : "B")}}","StudyHours":{{i % 9}},"Notes":null}""")).ToList();

        var schema = FeatureSchema.Build(rows, new DatasetOptions());

        Assert.Equal(
        [
            "semester", "assignment_marks", "quiz_marks", "attendance_percentage", "midterm_marks", "previous_cgpa",
            "subject=Algorithms", "subject=Calculus", "semester=1", "semester=2", "extra:Section=A", "extra:Section=B", "extra:StudyHours",
            "assessment_mean", "assessment_mean_vs_subject", "attendance_band",
        ], schema.FeatureNames);
        Assert.Equal(["A", "B"], schema.Vocabulary("extra:Section"));
        Assert.Equal(["StudyHours"], schema.NumericExtraColumns);

        var restored = FeatureSchema.FromJson(schema.ToJson());
        var unseen = Row(student: "X", subject: "Compilers", semester: 7, assignment: 80, quiz: null, midterm: 60, attendance: 91, extras: """{"Section":"B"}""");
        var vector = restored.Encode(unseen);
        Assert.Equal(schema.Encode(unseen), vector);

        Assert.Equal(7f, vector[0]);
        Assert.True(float.IsNaN(vector[2]), "an empty quiz mark stays missing");
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 1f], vector[6..12]);
        Assert.True(float.IsNaN(vector[12]), "an absent numeric extra is missing");
        Assert.Equal(70f, vector[13]);
        Assert.Equal(70 - schema.OverallAssessmentMean, vector[14], 4);
        Assert.Equal(3f, vector[15]);

        var calculus = rows[0];
        var calculusMean = rows.Where(r => r.Subject == "Calculus").Average(r => (r.AssignmentMarks!.Value + r.QuizMarks!.Value + r.MidtermMarks!.Value) / 3);
        Assert.Equal(calculusMean, schema.SubjectMeans["Calculus"], 6);
        Assert.Equal((calculus.AssignmentMarks!.Value + calculus.QuizMarks!.Value + calculus.MidtermMarks!.Value) / 3 - calculusMean, schema.Encode(calculus)[14], 4);
    }

    [Fact]
    public void A_subject_with_too_few_rows_for_a_feature_is_not_a_known_subject_though_it_has_a_mean()
    {
        var rows = Enumerable.Range(0, 40).Select(i => Row(
            student: $"S{i}", subject: i < 3 ? "Compilers" : "Calculus", semester: 1, assignment: 60, quiz: 50, midterm: 40 + i, attendance: 80, extras: null)).ToList();

        var schema = FeatureSchema.FromJson(FeatureSchema.Build(rows, new DatasetOptions()).ToJson());

        Assert.Equal(["Calculus"], schema.KnownSubjects);
        Assert.True(schema.SubjectMeans.ContainsKey("Compilers"));
        Assert.Empty(schema.NumericExtraColumns);
    }

    [Fact]
    public void Cross_validation_folds_never_put_a_student_in_train_and_test_at_once()
    {
        var students = PerformanceDataGenerator.Rows(new PerformanceDataSpec(60, Seed: 3)).Select(r => (string)r[0]!).ToArray();

        var folds = CrossValidatedTrainer.StudentFolds(students, 5, seed: 0);

        Assert.Equal(5, folds.Count);
        Assert.Equal(Enumerable.Range(0, students.Length), folds.SelectMany(f => f.Test).Order());
        foreach (var fold in folds)
        {
            var inTraining = fold.Train.Select(i => students[i]).ToHashSet();
            Assert.DoesNotContain(fold.Test, i => inTraining.Contains(students[i]));
            Assert.Equal(students.Length, fold.Train.Length + fold.Test.Length);
        }

        Assert.Throws<TrainingDataException>(() => CrossValidatedTrainer.StudentFolds(["S1", "S1", "S1"], 5, seed: 0));
        Assert.Equal(2, CrossValidatedTrainer.StudentFolds(["S1", "S2", "S1"], 5, seed: 0).Count);
    }

    private static DatasetRow Row(string student, string subject, int semester, double? assignment, double? quiz, double? midterm, double? attendance, string? extras) => new()
    {
        StudentId = student,
        Subject = subject,
        Semester = semester,
        AssignmentMarks = assignment,
        QuizMarks = quiz,
        MidtermMarks = midterm,
        AttendancePercentage = attendance,
        PreviousCgpa = 3,
        FinalMarks = 70,
        FinalGrade = "B",
        ExtraFeaturesJson = extras,
    };
}
