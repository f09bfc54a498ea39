using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;

namespace StudyRecs.Core.Tests.Datasets;

public class GradeScaleAndOptionsTests
{
    [Fact]
    public void The_default_row_limit_is_reachable_under_the_default_byte_limit_with_a_canonical_csv()
    {
        // A generated gradebook has the canonical columns with realistic values; measure its bytes per row.
        var spec = new PerformanceDataSpec(Students: 2_000, Subjects: 10);
        using var writer = new StringWriter();
        PerformanceDataGenerator.WriteCsv(spec, writer);
        var bytesPerRow = (double)System.Text.Encoding.UTF8.GetByteCount(writer.ToString()) / spec.RowCount;

        var defaults = new DatasetOptions();

        Assert.InRange(bytesPerRow * defaults.MaxRows, 0, defaults.MaxUploadBytes);
    }

    [Theory]
    [InlineData(100, "A+")]
    [InlineData(90, "A+")]
    [InlineData(89.9, "A")]
    [InlineData(72, "B")]
    [InlineData(50, "C-")]
    [InlineData(45, "D")]
    [InlineData(44.9, "F")]
    [InlineData(0, "F")]
    public void Default_scale_maps_marks_to_their_band(double percent, string grade) =>
        Assert.Equal(grade, GradeScale.Default.GradeFor(percent));

    [Fact]
    public void Grade_labels_match_case_insensitively_and_unknown_labels_are_null()
    {
        Assert.Equal("A-", GradeScale.Default.Normalize(" a- "));
        Assert.Equal("B+", GradeScale.Default.Normalize("b+"));
        Assert.Null(GradeScale.Default.Normalize("E"));
        Assert.Equal(11, GradeScale.Default.Labels.Count);
    }

    [Fact]
    public void Options_bind_from_the_Datasets_section_including_a_custom_grade_scale()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Datasets:CgpaScale"] = "10",
            ["Datasets:MinimumLabelledRowsToTrain"] = "50",
            ["Datasets:GradeScale:0:Label"] = "Pass",
            ["Datasets:GradeScale:0:MinPercent"] = "40",
            ["Datasets:GradeScale:1:Label"] = "Fail",
            ["Datasets:GradeScale:1:MinPercent"] = "0",
        }).Build();
        var options = configuration.GetSection(DatasetOptions.SectionName).Get<DatasetOptions>()!;

        Assert.Empty(Validate(options));
        Assert.Equal(10, options.CgpaScale);
        Assert.Equal(50, options.MinimumLabelledRowsToTrain);
        Assert.Equal(128L * 1024 * 1024, options.MaxUploadBytes);
        Assert.Equal("Pass", options.BuildGradeScale().GradeFor(40));
        Assert.Equal("Fail", options.BuildGradeScale().GradeFor(39.9));
    }

    [Fact]
    public void Options_refuse_a_cgpa_scale_other_than_4_or_10_and_a_scale_without_a_zero_band()
    {
        var options = new DatasetOptions
        {
            CgpaScale = 5,
            GradeScale = [new GradeBand { Label = "A", MinPercent = 80 }, new GradeBand { Label = "B", MinPercent = 50 }],
        };

        var errors = Validate(options).Select(r => r.ErrorMessage).ToList();

        Assert.Contains(errors, e => e!.Contains("CgpaScale must be 4 or 10", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("must start at 0", StringComparison.Ordinal));
    }

    [Fact]
    public void Grade_labels_longer_than_the_stored_width_are_refused() =>
        Assert.Throws<ArgumentException>(() => new GradeScale([new GradeBand { Label = "Distinction with honours", MinPercent = 0 }]));

    [Fact]
    public void Duplicate_grade_labels_are_refused() =>
        Assert.Throws<ArgumentException>(() => new GradeScale([new GradeBand { Label = "A", MinPercent = 50 }, new GradeBand { Label = "a", MinPercent = 0 }]));

    private static List<ValidationResult> Validate(DatasetOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
