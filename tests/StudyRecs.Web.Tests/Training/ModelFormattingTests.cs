using StudyRecs.Web.Features.Training;

namespace StudyRecs.Web.Tests.Training;

/// <summary>Model inputs and cross-validation metrics as the model page names them.</summary>
public class ModelFormattingTests
{
    [Theory]
    [InlineData("midterm_marks", "Midterm marks")]
    [InlineData("previous_cgpa", "Previous CGPA")]
    [InlineData("attendance_percentage", "Attendance (%)")]
    [InlineData("assessment_mean", "Average assessment marks")]
    [InlineData("assessment_mean_vs_subject", "Marks vs. subject average")]
    [InlineData("subject=Programming Fundamentals", "Subject: Programming Fundamentals")]
    [InlineData("semester=1", "Semester: 1")]
    [InlineData("extra:Section", "Section")]
    [InlineData("extra:Section=A", "Section: A")]
    [InlineData("something_new", "something_new")]
    public void Inputs_read_in_plain_words(string feature, string expected) => Assert.Equal(expected, ModelFormatting.FeatureName(feature));

    [Theory]
    [InlineData("rmse", "RMSE")]
    [InlineData("r2", "R²")]
    [InlineData("weighted_f1", "Weighted F1")]
    [InlineData("log_loss", "Log loss")]
    public void Metrics_read_as_column_headings(string metric, string expected) => Assert.Equal(expected, ModelFormatting.MetricName(metric));
}
