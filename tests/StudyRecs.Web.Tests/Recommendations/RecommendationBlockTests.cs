using Bunit;
using Microsoft.AspNetCore.Components;
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
        await using var ctx = PortalComponents.Create();

        var block = ctx.Render<RecommendationBlock>(p => p.Add(b => b.List, Two with { Items = [] }).Add(b => b.EmptyTitle, "Nothing in Calculus"));

        Assert.Empty(block.FindAll("ol.recommendations"));
        Assert.Equal("Nothing in Calculus", block.Find(".empty-state-title").TextContent);
    }

    [Fact]
    public async Task Items_link_through_the_click_redirect_with_strategy_and_position_and_say_why()
    {
        await using var ctx = PortalComponents.Create();

        var block = ctx.Render<RecommendationBlock>(p => p.Add(b => b.List, Two));

        var links = block.FindAll("a.recommendation-title").ToList();
        Assert.Equal(["/recommendations/go/0193abcd/7?strategy=hybrid&position=1", "/recommendations/go/0193abcd/9?strategy=hybrid&position=2"], links.Select(a => a.GetAttribute("href")));
        Assert.Equal("Vectors <b>now</b>", links[1].TextContent); // titles are text, never markup
        Assert.Equal(["Why: you are at risk in Calculus", "Why: popular in Physics"], block.FindAll(".recommendation-reason").Select(r => r.TextContent));
        // Without a feedback handler (staff previews) there are no buttons and no forms.
        Assert.Empty(block.FindAll("button"));
        Assert.Empty(block.FindAll("form"));
    }

    [Fact]
    public async Task Each_feedback_button_reports_its_item_and_kind_and_busy_disables_them()
    {
        await using var ctx = PortalComponents.Create();
        var pressed = new List<RecommendationBlock.Choice>();

        var block = ctx.Render<RecommendationBlock>(p => p.Add(b => b.List, Two).Add(b => b.OnFeedback, EventCallback.Factory.Create<RecommendationBlock.Choice>(this, pressed.Add)));

        var second = block.FindAll("ol.recommendations > li")[1];
        Assert.Equal("9", second.GetAttribute("data-resource-id"));
        Assert.Equal("Your feedback on Vectors <b>now</b>", second.QuerySelector(".recommendation-feedback")!.GetAttribute("aria-label"));
        await LiveEvents.ClickAsync(() => block.FindAll("ol.recommendations > li")[1].QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "I completed it"));
        await LiveEvents.ClickAsync(() => block.FindAll("ol.recommendations > li")[0].QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "More like this"));
        await LiveEvents.ClickAsync(() => block.FindAll("ol.recommendations > li")[0].QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Not for me"));

        Assert.Equal([(9L, RecommendationEventType.Complete), (7L, RecommendationEventType.Like), (7L, RecommendationEventType.Dismiss)], pressed.Select(c => (c.Item.ResourceId, c.Type)));
        Assert.All(pressed, c => Assert.Equal("0193abcd", c.List.RequestId));

        block.Render(p => p.Add(b => b.Busy, true));
        Assert.All(block.FindAll("button"), b => Assert.True(b.HasAttribute("disabled")));
    }
}
