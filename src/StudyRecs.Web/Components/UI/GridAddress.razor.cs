using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.WebUtilities;
using MudBlazor;

namespace StudyRecs.Web.Components.UI;

/// <summary>What a server-paged grid shows: the page (from 0), its size, and the sort column and direction (null: the page's own order).</summary>
public sealed record GridView(int Page, int PageSize, string? SortBy, bool Descending);

/// <summary>
/// Keeps the page and sort of a <see cref="MudDataGrid{T}"/> with <c>ServerData</c> in the address (<c>page</c>, from 1;
/// <c>sort</c>, a sortable column; <c>desc</c>), so a reload, a bookmark or a shared link shows the same rows, and the
/// browser's back and forward buttons move through them. Values that name no page or column are ignored. On a phone,
/// where the grid shows cards without headers, it offers the sortable columns in a select. Place it just above the
/// grid and let the grid's <c>ServerData</c> call <see cref="LoadAsync"/>.
/// </summary>
public sealed partial class GridAddress<T> : ComponentBase, IDisposable
{
    private const string PageKey = "page";
    private const string SortKey = "sort";
    private const string DescendingKey = "desc";

    /// <summary>Higher page numbers are ignored: no list is that long, and the row offset must fit an int.</summary>
    private const int MaxPage = 1_000_000;

    private MudDataGrid<T>? grid;
    private IReadOnlyList<(string Key, string Title)> choices = [];
    private (string? SortBy, bool Descending) fallback;
    private GridView? shown;
    private string? path;
    private bool restoring;

    private string? SortChoice => shown is null ? null : Canonical(shown) is var (_, sort, descending) && sort is not null ? Choice(sort, descending) : null;

    protected override void OnInitialized() => Navigation.LocationChanged += OnLocationChanged;

    /// <summary>
    /// Loads the rows the grid asks for with <paramref name="query"/>. The first load takes the page and sort from the
    /// address; later loads (a header click, the pager, the phone's select) write them into it.
    /// </summary>
    public async Task<GridData<T>> LoadAsync(MudDataGrid<T> dataGrid, GridState<T> state,
        Func<GridView, CancellationToken, Task<(IReadOnlyList<T> Items, int Total)>> query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataGrid);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(query);
        GridView view;
        var first = grid is null;
        if (first)
        {
            grid = dataGrid;
            path = new Uri(Navigation.Uri).AbsolutePath;
            choices = [.. dataGrid.RenderedColumns
                .Where(c => dataGrid.SortMode != SortMode.None && (c.Sortable ?? true) && !string.IsNullOrEmpty(c.PropertyName))
                .Select(c => (c.PropertyName!, c.Title ?? c.PropertyName!))];
            var initial = state.SortDefinitions.FirstOrDefault();
            fallback = (initial?.SortBy, initial?.Descending ?? false);
            view = Read() with { PageSize = state.PageSize };
            // The grid does not reload for these while its first load runs: they only set what its pager and headers show.
            if (view.SortBy is { } sort && (sort, view.Descending) != fallback)
            {
                await dataGrid.SetSortAsync(sort, view.Descending ? SortDirection.Descending : SortDirection.Ascending, null!);
            }

            SetPage(dataGrid, view.Page);
        }
        else
        {
            var sorted = state.SortDefinitions.FirstOrDefault();
            view = new GridView(state.Page, state.PageSize, sorted?.SortBy, sorted?.Descending ?? false);
        }

        var (items, total) = await query(view, cancellationToken);
        if (first && view.Page > 0 && (long)view.Page * view.PageSize >= total)
        {
            // A page past the end (an old link, rows deleted since, a made-up number): the first page instead.
            view = view with { Page = 0 };
            SetPage(dataGrid, 0);
            (items, total) = await query(view, cancellationToken);
        }

        // Only a change the user made moves the address: a reload of the same rows (a filter, a live update) does not,
        // nor does following the address itself.
        if (!first && !restoring && shown is not null && Canonical(view) != Canonical(shown) && Canonical(view) != Canonical(Read()))
        {
            Write(view);
        }

        shown = view;
        StateHasChanged();
        return new GridData<T> { Items = items, TotalItems = total };
    }

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;

    private static string Choice(string key, bool descending) => $"{key}:{(descending ? "desc" : "asc")}";

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(FollowAddressAsync);

    /// <summary>The address changed (back, forward, a link): show what it says if the grid shows something else.</summary>
    private async Task FollowAddressAsync()
    {
        if (grid is null || shown is null || new Uri(Navigation.Uri).AbsolutePath != path)
        {
            return; // Not loaded yet, or leaving for another page.
        }

        var wanted = Canonical(Read());
        var current = Canonical(shown);
        if (wanted == current)
        {
            return;
        }

        restoring = true;
        try
        {
            if ((wanted.SortBy, wanted.Descending) != (current.SortBy, current.Descending))
            {
                if (wanted.SortBy is { } sort)
                {
                    await grid.SetSortAsync(sort, wanted.Descending ? SortDirection.Descending : SortDirection.Ascending, null!);
                }
                else if (current.SortBy is { } sorted)
                {
                    await grid.RemoveSortAsync(sorted);
                }
            }

            if (wanted.Page != grid.CurrentPage)
            {
                SetPage(grid, wanted.Page);
            }
        }
        finally
        {
            restoring = false;
        }
    }

    private async Task SortAsync(string? value)
    {
        if (grid is null || value?.Split(':') is not [var key, var direction] || !choices.Any(c => c.Key == key))
        {
            return;
        }

        await grid.SetSortAsync(key, direction == "desc" ? SortDirection.Descending : SortDirection.Ascending, null!);
    }

#pragma warning disable BL0005 // The grid has no method to go to a page by number; setting its parameter is how its own pager does it.
    private static void SetPage(MudDataGrid<T> dataGrid, int page) => dataGrid.CurrentPage = page;
#pragma warning restore BL0005

    /// <summary>The page and sort the address asks for; what it does not say (or says wrongly) is the grid's own order and first page.</summary>
    private GridView Read()
    {
        var query = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query);
        var page = query.TryGetValue(PageKey, out var p) && int.TryParse(p.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= MaxPage
            ? number - 1
            : 0;
        var sort = query.TryGetValue(SortKey, out var s) ? choices.FirstOrDefault(c => string.Equals(c.Key, s.ToString(), StringComparison.OrdinalIgnoreCase)).Key : null;
        if (sort is null)
        {
            return new GridView(page, shown?.PageSize ?? 0, fallback.SortBy, fallback.Descending);
        }

        var descending = query.TryGetValue(DescendingKey, out var d) && (d.ToString() is "1" || string.Equals(d.ToString(), "true", StringComparison.OrdinalIgnoreCase));
        return new GridView(page, shown?.PageSize ?? 0, sort, descending);
    }

    /// <summary>A view compared by what the address holds: no sort means the grid's own order.</summary>
    private (int Page, string? SortBy, bool Descending) Canonical(GridView view) =>
        view.SortBy is null ? (view.Page, fallback.SortBy, fallback.Descending) : (view.Page, view.SortBy, view.Descending);

    private void Write(GridView view)
    {
        var (page, sort, descending) = Canonical(view);
        var own = (sort, descending) == fallback;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            [PageKey] = page > 0 ? (page + 1).ToString(CultureInfo.InvariantCulture) : null,
            [SortKey] = own ? null : sort,
            [DescendingKey] = own || !descending ? null : "true",
        }));
    }
}
