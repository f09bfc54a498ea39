using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Web.Features.Predictions;
using StudyRecs.Web.Tests.Components;

namespace StudyRecs.Web.Tests.Predictions;

/// <summary>The live what-if page (bUnit on the real portal services): sliders and fields re-forecast as they move.</summary>
public sealed class WhatIfLiveTests(TrainedPortalFixture portal) : IClassFixture<TrainedPortalFixture>
{
    private async Task<DatasetRow> RowAsync(string studentId)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().AsNoTracking()
            .Where(r => r.StudentId == studentId).OrderByDescending(r => r.Semester).ThenByDescending(r => r.DatasetId).FirstAsync();
    }

    private BunitContext Student(string studentId)
    {
        return PortalComponents.ForPortal(portal.Factory, Roles.Student, $"{studentId}@test.local", studentId);
    }

    private static IRenderedComponent<MudSlider<double>> Slider(IRenderedComponent<WhatIf> page, string label) =>
        page.FindComponents<MudSlider<double>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("aria-label"), $"{label} slider"));

    [Fact]
    public async Task Moving_sliders_re_forecasts_in_place_and_reset_goes_back_to_the_real_marks()
    {
        var row = await RowAsync(portal.StudentId);
        await using var ctx = Student(portal.StudentId);
        var page = ctx.Render<WhatIf>(p => p.Add(w => w.StudentId, portal.StudentId).Add(w => w.Subject, row.Subject));
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".forecast-card")), TimeSpan.FromSeconds(20));
        Assert.Empty(page.FindAll(".what-if-change"));

        // A burst of slider moves: only where it stops counts.
        var attendance = Slider(page, "Attendance %");
        foreach (var value in new[] { 10.0, 40.0, 70.0, 100.0 })
        {
            await page.InvokeAsync(() => attendance.Instance.ValueChanged.InvokeAsync(value));
        }

        await page.InvokeAsync(() => Slider(page, "Midterm marks").Instance.ValueChanged.InvokeAsync(row.MidtermMarks is > 50 ? 0 : 100));

        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var models = await scope.ServiceProvider.GetRequiredService<ActiveModels>().GetAsync(CancellationToken.None);
        var expected = scope.ServiceProvider.GetRequiredService<Forecaster>().Predict(models, Forecaster.FromRow(row) with
        {
            AttendancePercentage = 100,
            MidtermMarks = row.MidtermMarks is > 50 ? 0 : 100,
        });

        // Under load the debounce may show the attendance move first; the forecast settles on both changes.
        List<string> Changed() => page.FindAll(".forecast-card").Count == 2
            ? [.. page.FindAll(".forecast-card")[1].QuerySelectorAll(".stat-value").Select(v => v.TextContent.Trim())]
            : [];
        page.WaitForAssertion(() => Assert.Equal([ForecastCard.Marks(expected.PredictedMarks), expected.PredictedGrade], Changed().Take(2)), TimeSpan.FromSeconds(20));
        Assert.Contains("With these values the forecast moves from", page.Find(".what-if-change").TextContent, StringComparison.Ordinal);
        Assert.Contains(ForecastCard.Marks(expected.PredictedMarks) + " marks", page.Find(".what-if-change").TextContent, StringComparison.Ordinal);

        await LiveEvents.ClickAsync(() => page.FindAll("button").Single(b => b.TextContent.Contains("Reset", StringComparison.Ordinal)));

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".forecast-card")), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll(".what-if-change"));
        Assert.Equal(row.AttendancePercentage ?? 0, Slider(page, "Attendance %").Instance.GetState(x => x.Value));
    }

    [Fact]
    public async Task An_out_of_range_value_gets_a_message_and_no_forecast()
    {
        var row = await RowAsync(portal.StudentId);
        await using var ctx = Student(portal.StudentId);
        var page = ctx.Render<WhatIf>(p => p.Add(w => w.StudentId, portal.StudentId).Add(w => w.Subject, row.Subject));
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".forecast-card")), TimeSpan.FromSeconds(20));

        var field = page.FindComponents<MudNumericField<double?>>().Single(f => f.Instance.GetState(x => x.InputId) == "attendance_percentage");
        await page.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync(140));

        page.WaitForAssertion(() => Assert.Contains("Enter a number from 0 to 100.", page.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await Task.Delay(400);
        Assert.Single(page.FindAll(".forecast-card"));
        Assert.Empty(page.FindAll(".what-if-change"));
    }

    [Fact]
    public async Task Another_students_what_if_is_not_found_and_shows_nothing()
    {
        var row = await RowAsync(portal.StudentId);
        string other;
        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            other = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>()
                .Where(r => r.StudentId != portal.StudentId && r.Subject == row.Subject).Select(r => r.StudentId).FirstAsync();
        }

        await using var ctx = Student(portal.StudentId);
        var notFound = false;
        ctx.Services.GetRequiredService<NavigationManager>().OnNotFound += (_, _) => notFound = true;

        var page = ctx.Render<WhatIf>(p => p.Add(w => w.StudentId, other).Add(w => w.Subject, row.Subject));

        page.WaitForAssertion(() => Assert.True(notFound), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll(".forecast-card"));
        Assert.DoesNotContain(other, page.Markup, StringComparison.Ordinal);
    }
}
