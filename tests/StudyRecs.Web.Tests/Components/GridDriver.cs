using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace StudyRecs.Web.Tests.Components;

/// <summary>Reads and drives a server-paged grid of a rendered page the way a user does: its cells, headers, pager, the phone's sort select and the address.</summary>
internal static class GridDriver
{
    /// <summary>The texts of the column titled <paramref name="title"/>, top to bottom.</summary>
    public static IReadOnlyList<string> Column<TPage>(IRenderedComponent<TPage> page, string title)
        where TPage : class, IComponent =>
        [.. page.FindAll($"tbody td[data-label='{title}']").Select(td => td.TextContent.Trim())];

    /// <summary>Clicks the header of the column titled <paramref name="title"/> (a click sorts ascending, the next descending).</summary>
    public static Task ClickHeaderAsync<TPage>(IRenderedComponent<TPage> page, string title)
        where TPage : class, IComponent =>
        LiveEvents.ClickAsync(() => page.FindAll("th .sortable-column-header").First(h => h.TextContent.Trim() == title));

    /// <summary>Presses the pager's next-page button.</summary>
    public static Task NextPageAsync<TPage>(IRenderedComponent<TPage> page)
        where TPage : class, IComponent =>
        LiveEvents.ClickAsync(() => page.Find("button[aria-label='Next page']"));

    /// <summary>Chooses <paramref name="column"/> and a direction in the sort select a phone shows above the grid.</summary>
    public static async Task PhoneSortAsync<TPage>(IRenderedComponent<TPage> page, string column, bool descending)
        where TPage : class, IComponent
    {
        var select = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Sort by");
        await select.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync($"{column}:{(descending ? "desc" : "asc")}"));
    }

    /// <summary>The value of <paramref name="key"/> in the current address, or null.</summary>
    public static string? Address(BunitContext ctx, string key)
    {
        var uri = new Uri(ctx.Services.GetRequiredService<NavigationManager>().Uri);
        return QueryHelpers.ParseQuery(uri.Query).TryGetValue(key, out var value) ? value.ToString() : null;
    }

    /// <summary>Goes to <paramref name="url"/> as a link, a reload or the browser's back and forward buttons do.</summary>
    public static void Go(BunitContext ctx, string url) => ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
}
