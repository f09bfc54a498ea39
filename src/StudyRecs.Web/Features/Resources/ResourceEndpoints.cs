using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Resources;
using StudyRecs.Web.Components.UI;
using StudyRecs.Web.Features.Datasets;

namespace StudyRecs.Web.Features.Resources;

/// <summary>The catalog's form posts (retire, restore, import) and downloads (export, import report).</summary>
internal static class ResourceEndpoints
{
    public static void MapResourceEndpoints(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/resources").RequireAuthorization(Policies.Staff);
        pages.MapPost("/{id:long}/retire", (long id, HttpContext context, IAntiforgery antiforgery, ResourceCatalog catalog, CancellationToken ct) =>
            ChangeStatusAsync(id, retire: true, context, antiforgery, catalog, ct)).DisableAntiforgery();
        pages.MapPost("/{id:long}/restore", (long id, HttpContext context, IAntiforgery antiforgery, ResourceCatalog catalog, CancellationToken ct) =>
            ChangeStatusAsync(id, retire: false, context, antiforgery, catalog, ct)).DisableAntiforgery();
        pages.MapPost("/imports", ImportAsync).DisableAntiforgery();
        pages.MapGet("/imports/{id:long}/report.csv", ImportReportCsvAsync);
        pages.MapGet("/export.csv", ExportAsync);
    }

    /// <summary>
    /// Retire and restore buttons post here (plain forms, no script). The antiforgery token is checked by hand so a
    /// stale page gets a message instead of a bare 400; the list the button was on is shown again.
    /// </summary>
    private static async Task<IResult> ChangeStatusAsync(long id, bool retire, HttpContext context, IAntiforgery antiforgery, ResourceCatalog catalog, CancellationToken ct)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(ct) : null;
        var back = ReturnUrl(form?["returnUrl"].ToString());
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return RedirectWithStatus(context, back, "Error: the page had expired. Reload it and try again.");
        }

        var by = context.User.Identity?.Name ?? "staff";
        var result = retire ? await catalog.RetireAsync(id, by, ct) : await catalog.RestoreAsync(id, by, ct);
        return result.Resource is { } r
            ? RedirectWithStatus(context, back, retire
                ? $"“{r.Title}” is retired: it is no longer suggested to students. Restore it from the retired list."
                : $"“{r.Title}” is active again.")
            : RedirectWithStatus(context, back, $"Error: there is no resource {id}.");
    }

    private static async Task<IResult> ImportAsync(HttpContext context, IAntiforgery antiforgery, ResourceImportService imports, IOptions<ResourceOptions> options, CancellationToken ct)
    {
        var limits = new Core.Datasets.DatasetOptions { MaxUploadBytes = options.Value.MaxUploadBytes };
        var (form, error) = await DatasetUploadForm.ReadAsync(context.Request, limits, ct);
        if (form is not null && !await antiforgery.IsRequestValidAsync(context))
        {
            error = "The import form expired. Reload the page and upload again.";
        }

        if (error is not null || form?.File is null)
        {
            return RedirectWithStatus(context, "/resources/import", "Error: " + (error ?? "Choose a file to import."));
        }

        await using var content = form.File.OpenReadStream();
        var result = await imports.ImportAsync(content, form.File.FileName, form.Sheet, context.User.Identity?.Name ?? "staff", ct);
        return RedirectWithStatus(context, $"/resources/imports/{result.Record.Id}", (result.Report.IsImported ? "" : "Error: ") + result.Report.Summary);
    }

    private static async Task<IResult> ImportReportCsvAsync(long id, ResourceImportService imports, CancellationToken ct)
    {
        var record = await imports.GetAsync(id, ct);
        var report = record is null ? null : ResourceImportReport.Deserialize(record.ReportJson);
        return report is null
            ? TypedResults.NotFound()
            : TypedResults.File(report.ToCsv(), ResourceCatalogCsv.ContentType, $"resource-import-{id}-report.csv");
    }

    private static async Task ExportAsync(HttpContext context, ResourceCatalog catalog, string? subject, string? type, string? difficulty, string? q, string? status)
    {
        var filter = ResourceListFilter.Parse(subject, type, difficulty, q, status);
        context.Response.ContentType = ResourceCatalogCsv.ContentType;
        context.Response.Headers.ContentDisposition = "attachment; filename=\"learning-resources.csv\"";
        await using var writer = new StreamWriter(context.Response.Body, Core.Datasets.SpreadsheetSafeCsv.Encoding, 1 << 16);
        await ResourceCatalogCsv.WriteAsync(catalog.StreamAsync(filter.Query), writer, context.RequestAborted);
    }

    /// <summary>Back to a catalog page the form named, never anywhere else.</summary>
    private static string ReturnUrl(string? url)
    {
        var local = PageRedirect.LocalOrHome(url);
        return local.StartsWith("/resources", StringComparison.Ordinal) ? local : "/resources";
    }

    private static RedirectHttpResult RedirectWithStatus(HttpContext context, string url, string message)
    {
        PageRedirect.SetStatus(context, message);
        return TypedResults.LocalRedirect(url);
    }
}
