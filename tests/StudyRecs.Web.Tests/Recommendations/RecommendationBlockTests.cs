using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Features.Recommendations;
using StudyRecs.Web.Tests.Components;

namespace StudyRecs.Web.Tests.Recommendations;

public class RecommendationBlockTests
{
    private static readonly RecommendationList Two = new("0193abcd", "S1", "hybrid", "chosen online", "20261201000000",
    [
        new RecommendedResource(7, "Limits 101", "https://example.edu/limits", "Calculus", "video", "beginner", 12, 1, 0.9, "you are at risk in Calculus"),
        new RecommendedResource(9, "Vectors <b>now</b>", "https://example.edu/vectors", "Physics", "article", "advanced", 30, 2, 0.5, "popular in Physics"),
    ]);

    [Fact]
    public async Task An_empty_list_shows_its_empty_state_and_no_list()
    {
        var doc = await ComponentRenderer.RenderAsync<RecommendationBlock>(new() { ["List"] = Two with { Items = [] }, ["EmptyTitle"] = "Nothing in Calculus" });

        Assert.Null(doc.QuerySelector("ol.recommendations"));
        Assert.Equal("Nothing in Calculus", doc.QuerySelector(".empty-state-title")!.TextContent);
    }

    [Fact]
    public async Task Items_link_through_the_click_redirect_with_strategy_and_position_and_say_why()
    {
        var doc = await ComponentRenderer.RenderAsync<RecommendationBlock>(new() { ["List"] = Two });

        var links = doc.QuerySelectorAll("a.recommendation-title").ToList();
        Assert.Equal(["/recommendations/go/0193abcd/7?strategy=hybrid&position=1", "/recommendations/go/0193abcd/9?strategy=hybrid&position=2"], links.Select(a => a.GetAttribute("href")));
        Assert.Equal("Vectors <b>now</b>", links[1].TextContent); // titles are text, never markup
        Assert.Equal(["Why: you are at risk in Calculus", "Why: popular in Physics"], doc.QuerySelectorAll(".recommendation-reason").Select(r => r.TextContent));
        Assert.Empty(doc.QuerySelectorAll("form"));
    }
}
