using System.Globalization;
using System.Text.Json.Nodes;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;
using StudyRecs.Learning.Metrics;
using StudyRecs.Learning.Validation;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>
/// The forecast-against-actual scatter on a model version's page (live, over the real portal services): drawn from the
/// points a regression report stores, an empty state for versions stored before reports kept them, absent for grades.
/// </summary>
public class ForecastScatterTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly MetricSummary Spread = new(5, 0.5, 4.5, 5.5, 5);

    private PortalFactory Factory => portal.Factory;

    private static TrainedModel Version(ModelTask task, string version, string metricsJson) => new()
    {
        Version = version,
        Task = task,
        Algorithm = "gbdt",
        SettingsJson = "{}",
        MetricsJson = metricsJson,
        FeatureSchemaJson = "{}",
        ArtifactFormat = ArtifactFormats.EngineTrees,
        ArtifactSha256 = new string('0', 64),
        CreatedBy = "job",
        CreatedAt = DateTimeOffset.UtcNow,
        IsActive = false,
        DatasetIdsJson = "[]",
        DataHash = new string('0', 64),
        SelectionMetric = task == ModelTask.Regression ? "cv_rmse" : "cv_weighted_f1",
        SelectionScore = 5,
    };

    private static TrainingDataSummary Data => new(1_300, [1], new string('0', 64), 3, 5, 130);

    private static string Regression(PredictedAgainstActual? points) => ModelMetricsJson.Write(new RegressionReport(
        "gbdt-8-leaves", "gbdt", 5.1, 4.0, 0.8, Spread, Spread, new MetricSummary(0.8, 0.02, 0.78, 0.82, 5), new RegressionMetrics(3.2, 2.5, 0.92),
        new ResidualSpread(0, 5, -8, -6, -3, 0, 3, 6, 8), [new FeatureImportance("midterm_marks", 1)],
        [new CandidateResult("gbdt-8-leaves", "gbdt", new Dictionary<string, MetricSummary> { ["rmse"] = Spread }, 1, true)], Data, "studyrecs", points));

    private async Task AddAsync(TrainedModel version)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        db.Add(version);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_regression_version_with_stored_points_draws_one_dot_per_point_on_a_0_to_100_scale_with_the_line_of_exact_forecasts()
    {
        MarksPair[] points = [new(50, 50), new(80, 70), new(30, 41.5), new(100, 104.2), new(12.5, 20)];
        await AddAsync(Version(ModelTask.Regression, "20270101000000", Regression(new PredictedAgainstActual(1_300, points))));
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Teacher, "scatter-teacher@test.local");

        var page = ModelPageDriver.RenderVersion(ctx, ModelTask.Regression, "20270101000000");

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".predicted-actual svg")), ModelPageDriver.Patience);
        var card = page.Find(".predicted-actual");
        Assert.Contains("Each dot is a student-subject row the model did not see while training; dots on the line were forecast exactly", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("5 of the 1,300 rows, drawn at random.", card.TextContent, StringComparison.Ordinal);
        var dots = card.QuerySelectorAll("circle.dot");
        Assert.Equal(points.Length, dots.Length);
        Assert.Equal("Actual 80, forecast 70 marks", dots[1].QuerySelector("title")!.TextContent);

        // The line of exact forecasts runs corner to corner of the square plot; a dot on it lies on it; y grows upwards.
        var line = card.QuerySelector("line.identity")!;
        var (x1, y1, x2, y2) = (Number(line, "x1"), Number(line, "y1"), Number(line, "x2"), Number(line, "y2"));
        Assert.Equal(x2 - x1, y1 - y2, 6);
        var onLine = dots[0];
        Assert.Equal((x1 + x2) / 2, Number(onLine, "cx"), 6);
        Assert.Equal((y1 + y2) / 2, Number(onLine, "cy"), 6);
        Assert.True(Number(dots[1], "cy") > y1 - (Number(dots[1], "cx") - x1), "a forecast under the actual marks lies below the line");
        Assert.True(Number(dots[2], "cy") < y1 - (Number(dots[2], "cx") - x1), "a forecast over the actual marks lies above the line");
        Assert.Equal(y2, Number(dots[3], "cy"), 6); // 104.2 is drawn on the top edge, not outside the chart

        // Ticks 0, 20 ... 100 on both axes, the axes named, a description for screen readers.
        var ticks = card.QuerySelectorAll("text.tick").Select(t => t.TextContent).ToArray();
        Assert.Equal(["0", "0", "20", "20", "40", "40", "60", "60", "80", "80", "100", "100"], ticks);
        Assert.Equal(["Actual final marks", "Forecast final marks"], card.QuerySelectorAll("text.axis-title").Select(t => t.TextContent));
        var svg = card.QuerySelector("svg")!;
        Assert.Equal("img", svg.GetAttribute("role"));
        var labelledBy = svg.GetAttribute("aria-labelledby")!.Split(' ');
        Assert.Equal("Forecast final marks against actual final marks", card.QuerySelector($"#{labelledBy[0]}")!.TextContent);
        Assert.StartsWith("5 forecasts of final marks", card.QuerySelector($"#{labelledBy[1]}")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(card.QuerySelectorAll(".empty-state"));

        // The rest of the page names inputs and metrics in words.
        Assert.Equal("Midterm marks", page.Find(".importance-bars .bar-label").TextContent);
        Assert.Contains("RMSE", page.Find(".candidate-table thead").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Roles.Admin, "Run now")]
    [InlineData(Roles.Teacher, "an administrator can start one")]
    public async Task A_regression_version_stored_without_points_says_to_train_again_instead_of_drawing(string role, string advice)
    {
        var version = role == Roles.Admin ? "20270102000000" : "20270103000000";
        // As stored before reports kept the points: no such property at all.
        var stored = JsonNode.Parse(Regression(null))!.AsObject();
        Assert.True(stored.Remove("predictedAgainstActual"));
        await AddAsync(Version(ModelTask.Regression, version, stored.ToJsonString()));
        await using var ctx = PortalComponents.ForPortal(Factory, role, $"scatter-{role.ToLowerInvariant()}@test.local");

        var page = ModelPageDriver.RenderVersion(ctx, ModelTask.Regression, version);

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".predicted-actual .empty-state")), ModelPageDriver.Patience);
        var empty = page.Find(".predicted-actual .empty-state").TextContent;
        Assert.Contains("trained before StudyRecs kept a sample of its forecasts", empty, StringComparison.Ordinal);
        Assert.Contains(advice, empty, StringComparison.Ordinal);
        Assert.Equal(role == Roles.Admin, page.FindAll(".predicted-actual a[href='admin/jobs']").Count == 1);
        Assert.Empty(page.FindAll(".predicted-actual svg"));
        Assert.NotEmpty(page.FindAll(".stat-value")); // the rest of the report is there
    }

    [Fact]
    public async Task The_grade_model_has_no_scatter()
    {
        string[] grades = ["A", "B", "F"];
        var report = new ClassificationReport("gbdt-8-leaves", "gbdt", grades, 0.7, 0.68, 0.6, 0.8, 0.15, Spread, Spread,
            [[40, 5, 1], [6, 30, 4], [1, 3, 10]], grades.Select(g => new GradeReport(g, 0.7, 0.7, 0.7, 30, 0.1)).ToArray(), "temperature 1.2",
            [new CalibrationBin(0.5, 0.6, 0.55, 0.5, 40)], grades.Select(g => new GradeCalibration(g, [])).ToArray(),
            new ClassBalance(new Dictionary<string, int> { ["A"] = 46, ["B"] = 40, ["F"] = 14 }, 3.3, 0.46, []), [new FeatureImportance("midterm_marks", 1)],
            [new CandidateResult("gbdt-8-leaves", "gbdt", new Dictionary<string, MetricSummary> { ["weighted_f1"] = Spread }, 1, true)], Data, "studyrecs");
        await AddAsync(Version(ModelTask.Classification, "20270104000000", ModelMetricsJson.Write(report)));
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "scatter-grades@test.local");

        var page = ModelPageDriver.RenderVersion(ctx, ModelTask.Classification, "20270104000000");

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("table.heatmap")), ModelPageDriver.Patience);
        Assert.Empty(page.FindAll(".predicted-actual"));
        Assert.Empty(page.FindAll("circle.dot"));
        Assert.DoesNotContain("Forecast against actual marks", page.Markup, StringComparison.Ordinal);
    }

    private static double Number(AngleSharp.Dom.IElement element, string attribute) =>
        double.Parse(element.GetAttribute(attribute)!, CultureInfo.InvariantCulture);
}
