using Microsoft.AspNetCore.Http.HttpResults;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Resources;

namespace StudyRecs.Web.Features.Resources;

/// <summary>The catalog's downloads (export, import report); retire, restore and import go through the live pages.</summary>
internal static class ResourceEndpoints
{
    public static void MapResourceEndpoints(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/resources").RequireAuthorization(Policies.Staff);
        pages.MapGet("/imports/{id:long}/report.csv", ImportReportCsvAsync);
        pages.MapGet("/export.csv", ExportAsync);
    }

    // A bare 404 here: the portal's not-found page answers it for people.
    private static async Task<Results<FileContentHttpResult, NotFound>> ImportReportCsvAsync(long id, ResourceImportService imports, CancellationToken ct)
    {
        var record = await imports.GetAsync(id, ct);
        var report = record is null ? null : ResourceImportReport.Deserialize(record.ReportJson);
        if (report is null)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.File(report.ToCsv(), ResourceCatalogCsv.ContentType, $"resource-import-{id}-report.csv");
    }

    private static async Task ExportAsync(HttpContext context, ResourceCatalog catalog, string? subject, string? type, string? difficulty, string? q, string? status)
    {
        var filter = ResourceListFilter.Parse(subject, type, difficulty, q, status);
        context.Response.ContentType = ResourceCatalogCsv.ContentType;
        context.Response.Headers.ContentDisposition = "attachment; filename=\"learning-resources.csv\"";
        await using var writer = new StreamWriter(context.Response.Body, Core.Datasets.SpreadsheetSafeCsv.Encoding, 1 << 16);
        await ResourceCatalogCsv.WriteAsync(catalog.StreamAsync(filter.Query), writer, context.RequestAborted);
    }
}
