using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Tests.Infrastructure;
using StudyRecs.Web.Tests.Predictions;

namespace StudyRecs.Web.Tests.Recommendations;

/// <summary>With trained grade models the study plan has weak subjects; each plan card recommends resources of its subject.</summary>
public sealed class StudyPlanRecommendationTests(TrainedPortalFixture portal) : IClassFixture<TrainedPortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private async Task<(string StudentId, StudentOverview Overview)> StudentWithAPlanAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var ids = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().Where(r => r.DatasetId == portal.DatasetId)
            .Select(r => r.StudentId).Distinct().OrderBy(s => s).ToListAsync();
        var forecasts = scope.ServiceProvider.GetRequiredService<StudentForecasts>();
        foreach (var id in ids)
        {
            var overview = await forecasts.OverviewAsync(id, CancellationToken.None);
            if (overview.Plan.Count > 0 && overview.WeakSubjects.Any(w => w.Forecast.AtRisk))
            {
                return (id, overview);
            }
        }

        throw new InvalidOperationException("No generated student has an at-risk subject in the study plan.");
    }

    [Fact]
    public async Task Each_study_plan_card_recommends_resources_of_its_weak_subject_saying_why()
    {
        var (studentId, overview) = await StudentWithAPlanAsync();
        var student = await Factory.SignInAsync(Roles.Student, studentId);

        var page = await Html.GetAsync(student, "/student");

        var cards = page.QuerySelector("section[aria-labelledby=plan-heading]")!.QuerySelectorAll(".plan-card").ToList();
        Assert.Equal(overview.Plan.Count, cards.Count);
        foreach (var card in cards)
        {
            var subject = card.GetAttribute("data-subject")!;
            Assert.Equal($"Study plan for {subject}", card.QuerySelector("h3")!.TextContent.Trim());
            var items = card.QuerySelectorAll("ol.recommendations li").ToList();
            Assert.InRange(items.Count, 1, 3);
            Assert.All(items, i => Assert.Contains($"· {subject} ·", i.TextContent));
            var weak = overview.WeakSubjects.Single(w => w.Forecast.Subject == subject);
            Assert.All(items, i => Assert.Contains(weak.Forecast.AtRisk ? $"Why: you are at risk in {subject}" : $"Why: you are below your target in {subject}", i.TextContent));
        }

        // The block and every card were logged as shown: one request each.
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        int requests;
        do
        {
            await Task.Delay(200);
            requests = await db.Set<RecommendationEvent>().Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Impression).Select(e => e.RequestId).Distinct().CountAsync();
        }
        while (requests < cards.Count + 1 && DateTime.UtcNow < deadline);

        Assert.Equal(cards.Count + 1, requests);

        // The top block puts the at-risk subject first for a student without history.
        var top = page.QuerySelector("ol.recommendations")!.QuerySelectorAll(".recommendation-reason").Select(r => r.TextContent).First();
        Assert.StartsWith("Why: you are at risk in ", top);
    }
}
