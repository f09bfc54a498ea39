using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Web.Features.Dashboards;
using StudyRecs.Web.Tests.Components;

namespace StudyRecs.Web.Tests.Predictions;

/// <summary>The live student dashboard with trained models: summary, panels per subject, and the target grade saved in place.</summary>
public sealed class StudentDashboardTargetTests(TrainedPortalFixture portal) : IClassFixture<TrainedPortalFixture>
{
    private async Task<string> StudentOfTheDatasetAsync(int index)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().Where(r => r.DatasetId == portal.DatasetId)
            .Select(r => r.StudentId).Distinct().OrderBy(s => s).ToListAsync())[index];
    }

    private async Task<(string Grade, bool IsDefault)> StoredTargetAsync(string studentId)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudentForecasts>().TargetGradeAsync(studentId, CancellationToken.None);
    }

    private BunitContext Student(string studentId)
    {
        return PortalComponents.ForPortal(portal.Factory, Roles.Student, $"{studentId}@test.local", studentId);
    }

    private static async Task ChooseTargetAsync(IRenderedComponent<StudentDashboard> page, string grade)
    {
        var select = page.FindComponent<MudSelect<string>>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(grade));
        await LiveEvents.ClickAsync(() => page.FindAll("button").Single(b => b.TextContent.Contains("Save target", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_summary_comes_first_and_every_subject_has_a_panel_with_its_forecast()
    {
        var studentId = await StudentOfTheDatasetAsync(1);
        await using var ctx = Student(studentId);

        var page = ctx.Render<StudentDashboard>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".summary-card .stat-value")), TimeSpan.FromSeconds(20));
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var overview = await scope.ServiceProvider.GetRequiredService<StudentForecasts>().OverviewAsync(studentId, CancellationToken.None);
        var figures = page.FindAll(".summary-card .stat-value").Select(v => v.TextContent.Trim()).ToList();
        Assert.Equal(overview.Subjects.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), figures[0]);
        Assert.Equal(overview.WeakSubjects.Count(w => w.Forecast.AtRisk).ToString(System.Globalization.CultureInfo.InvariantCulture), figures[1]);
        Assert.Equal(overview.Subjects.Count, page.FindAll(".subject-panel").Count);
        Assert.Equal(overview.Subjects.Count, page.FindAll(".subject-panel .forecast-card").Count);
        // Weak subjects first; no model versions on a student's own page.
        var names = page.FindAll(".subject-panel-name").Select(n => n.TextContent).ToList();
        Assert.Equal(overview.WeakSubjects.Select(w => w.Forecast.Subject), names.Take(overview.WeakSubjects.Count));
        // Only the most urgent subject is open, so the page stays short; the others open with a click.
        Assert.NotEmpty(overview.WeakSubjects);
        Assert.Equal([overview.WeakSubjects[0].Forecast.Subject], page.FindAll(".subject-panel.mud-panel-expanded .subject-panel-name").Select(n => n.TextContent));
        Assert.DoesNotContain(overview.Models.Regression!.Version, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_student_saves_a_target_grade_in_place_and_the_plan_follows()
    {
        var studentId = portal.StudentId;
        await using var ctx = Student(studentId);
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var page = ctx.Render<StudentDashboard>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".forecast-card")), TimeSpan.FromSeconds(20));
        Assert.NotEmpty(page.FindAll(".grade-bars li"));
        Assert.Contains("Weak subjects", page.Markup, StringComparison.Ordinal);

        // Aiming for the top grade makes every subject below it weak, with a study plan for each.
        await ChooseTargetAsync(page, "A+");

        snackbars.WaitForAssertion(() => Assert.Contains("Target saved", snackbars.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("#plan-heading")), TimeSpan.FromSeconds(20));
        Assert.Contains("target grade A+", page.Markup, StringComparison.Ordinal);
        Assert.Equal(("A+", false), await StoredTargetAsync(studentId));
        // The plan's resources are recommendations: links count the click, then redirect.
        Assert.NotEmpty(page.FindAll(".plan-card a[href^='/recommendations/go/']"));
        Assert.NotEmpty(page.FindAll(".next-actions li"));
    }

    [Fact]
    public async Task An_invalid_target_grade_gets_a_message_and_nothing_is_saved()
    {
        var studentId = await StudentOfTheDatasetAsync(3);
        await using var ctx = Student(studentId);
        var page = ctx.Render<StudentDashboard>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".forecast-card")), TimeSpan.FromSeconds(20));

        await ChooseTargetAsync(page, "Z");

        page.WaitForAssertion(() => Assert.Contains("'Z' is not a grade of the scale", page.Find("[role=alert]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.True((await StoredTargetAsync(studentId)).IsDefault);
    }
}
