using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets;
using StudyRecs.Web.Features.Accounts;

namespace StudyRecs.Web.Features.Datasets;

/// <summary>File downloads of the dataset pages, and the REST API for datasets (the upload page works over its live connection).</summary>
internal static class DatasetEndpoints
{
    public static void MapDatasetEndpoints(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/datasets").RequireAuthorization(Policies.Staff);
        pages.MapGet("/{id:long}/report.csv", ReportCsvAsync);
        pages.MapGet("/{id:long}/original", OriginalAsync);

        // Scripts come with a bearer token, the portal's own pages with the cookie; a cookie upload is checked for the
        // antiforgery token by hand (after the form is read under the upload limit), a bearer one needs none.
        var api = app.MapGroup("/api/datasets").RequireAuthorization(Policies.StaffApi).WithTags("Datasets");
        api.MapPost("/", UploadFromApiAsync).DisableAntiforgery()
            .WithSummary("Upload a gradebook (multipart: file, optional sheet, label and on_overlap=ask|replace|cancel, default ask); answers the validation report, "
                + "or 409 with the count when rows repeat the student, semester and subject of accepted datasets. "
                + "By cookie, send the antiforgery token as header RequestVerificationToken.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/", ListAsync).WithSummary("Uploads visible to the caller, newest first.");
        api.MapGet("/{id:long}", GetAsync).WithSummary("One upload with its validation report.").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id:long}/report.csv", ReportCsvAsync).WithSummary("The validation problems as CSV (spreadsheet-safe).")
            .Produces(StatusCodes.Status200OK, contentType: DatasetReportCsv.ContentType).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/counts", CountsAsync).WithSummary("The caller's uploads (all, for administrators) counted by what happened to them.");
        api.MapPost("/{id:long}/archive", (long id, string? reason, HttpContext c, IAntiforgery a, DatasetLifecycle l, CancellationToken ct) =>
            ChangeAsync(id, c, a, (actor, t) => l.ArchiveAsync(id, actor, reason, t), ct)).DisableAntiforgery()
            .WithSummary("Leave a dataset out of training and keep it (its uploader or an administrator; optional ?reason=); audited, queues a retraining.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{id:long}/restore", (long id, string? reason, HttpContext c, IAntiforgery a, DatasetLifecycle l, CancellationToken ct) =>
            ChangeAsync(id, c, a, (actor, t) => l.RestoreAsync(id, actor, reason, t), ct)).DisableAntiforgery()
            .WithSummary("Let training use an archived dataset again; audited, queues a retraining.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/{id:long}", (long id, string? reason, HttpContext c, IAntiforgery a, DatasetLifecycle l, CancellationToken ct) =>
            ChangeAsync(id, c, a, (actor, t) => l.DeleteAsync(id, actor, reason, t), ct)).DisableAntiforgery()
            .WithSummary("Delete a dataset with its rows and kept file (its uploader or an administrator); audited, queues a retraining.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Results<Created<DatasetResponse>, Ok<OverlapCancelledResponse>, ProblemHttpResult>> UploadFromApiAsync(HttpContext context, IAntiforgery antiforgery, DatasetUploads uploads,
        IOptions<DatasetOptions> options, CancellationToken ct)
    {
        var (form, error) = await DatasetUploadForm.ReadAsync(context.Request, options.Value, ct);
        if (error is null && await ApiAntiforgery.IsUnprotectedCookieRequestAsync(context, antiforgery))
        {
            return ApiAntiforgery.Refused();
        }

        if (error is not null || form?.File is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No usable upload", detail: error ?? "Send a part named 'file'.");
        }

        var (policy, policyError) = form.Policy(context.Request, OverlapPolicy.Ask);
        if (policyError is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown overlap choice", detail: policyError);
        }

        var result = await UploadAsync(context, uploads, form.File, form, policy, ct);
        if (result.StoppedByOverlap)
        {
            var overlap = result.Overlap!;
            var extensions = new Dictionary<string, object?>
            {
                ["overlapping_rows"] = overlap.Rows,
                ["overlapping_dataset_ids"] = overlap.DatasetIds,
                ["on_overlap"] = overlap.Policy.ToString().ToLowerInvariant(),
            };
            if (overlap.Policy == OverlapPolicy.Ask)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Rows overlap accepted datasets",
                    detail: overlap.Message + $" Send the upload again with {DatasetUploadForm.OnOverlapField}=replace (its rows replace the older ones in training) or {DatasetUploadForm.OnOverlapField}=cancel.",
                    extensions: extensions);
            }

            return TypedResults.Ok(new OverlapCancelledResponse(false, overlap.Message, overlap.Rows, overlap.DatasetIds));
        }

        var body = DatasetResponse.From(result.Dataset, result.Report) with { OverlappingRows = result.Overlap?.Rows ?? 0 };
        if (result.IsAccepted)
        {
            return TypedResults.Created($"/api/datasets/{result.Dataset.Id}", body);
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Dataset rejected", detail: result.Report.Summary,
            extensions: new Dictionary<string, object?> { ["dataset_id"] = result.Dataset.Id, ["report"] = body.Report });
    }

    private static async Task<DatasetImportResult> UploadAsync(HttpContext context, DatasetUploads uploads, IFormFile file, DatasetUploadForm form, OverlapPolicy onOverlap, CancellationToken ct)
    {
        await using var content = file.OpenReadStream();
        var upload = new DatasetUpload(content, file.FileName, form.Sheet, form.Label, DatasetAccess.UserId(context.User), form.AllowDuplicate, onOverlap);
        return (await uploads.UploadAsync(upload, context.User.Identity?.Name ?? "teacher", ct)).Import;
    }

    private static async Task<Ok<DatasetListResponse>> ListAsync(HttpContext context, DatasetCatalog catalog, DatasetStatus? status, int? skip, int? take, CancellationToken ct)
    {
        var owner = DatasetAccess.OwnerFilter(context.User);
        var s = Math.Max(0, skip ?? 0);
        var t = Math.Clamp(take ?? 50, 1, 500);
        var items = await catalog.ListAsync(owner, status, s, t, ct);
        return TypedResults.Ok(new DatasetListResponse(await catalog.CountAsync(owner, status, ct), s, t, items));
    }

    private static async Task<Results<Ok<DatasetResponse>, ProblemHttpResult>> GetAsync(long id, HttpContext context, DatasetCatalog catalog, CancellationToken ct)
    {
        var owner = DatasetAccess.OwnerFilter(context.User);
        var dataset = await catalog.GetAsync(id, owner, ct);
        if (dataset is null)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(DatasetResponse.From(dataset, await catalog.GetReportAsync(id, owner, ct)));
    }

    private static async Task<Ok<DatasetOutcomeCounts>> CountsAsync(HttpContext context, DatasetCatalog catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.CountByOutcomeAsync(DatasetAccess.OwnerFilter(context.User), ct));

    /// <summary>Archive, restore or delete: a cookie caller needs the antiforgery token; the lifecycle checks ownership.</summary>
    private static async Task<Results<Ok<DatasetChangeResponse>, ProblemHttpResult>> ChangeAsync(long id, HttpContext context, IAntiforgery antiforgery,
        Func<DatasetActor, CancellationToken, Task<DatasetChangeResult>> change, CancellationToken ct)
    {
        if (await ApiAntiforgery.IsUnprotectedCookieRequestAsync(context, antiforgery))
        {
            return ApiAntiforgery.Refused();
        }

        var user = context.User;
        var actor = new DatasetActor(DatasetAccess.UserId(user), user.Identity?.Name ?? "unknown user", user.IsInRole(Roles.Admin));
        var result = await change(actor, ct);
        if (result.Outcome == DatasetChangeOutcome.Done)
        {
            return TypedResults.Ok(new DatasetChangeResponse(id, result.Message, result.QueuedRun?.Id));
        }

        return result.Outcome switch
        {
            DatasetChangeOutcome.NotFound => NotFound(id),
            DatasetChangeOutcome.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your dataset", detail: result.Message),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Dataset cannot change now", detail: result.Message),
        };
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ReportCsvAsync(long id, HttpContext context, DatasetCatalog catalog, CancellationToken ct)
    {
        var report = await catalog.GetReportAsync(id, DatasetAccess.OwnerFilter(context.User), ct);
        if (report is null)
        {
            return NotFound(id);
        }

        return TypedResults.File(DatasetReportCsv.ToBytes(report), DatasetReportCsv.ContentType, $"dataset-{id}-report.csv");
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> OriginalAsync(long id, HttpContext context, DatasetCatalog catalog, CancellationToken ct)
    {
        var file = await catalog.OpenOriginalAsync(id, DatasetAccess.OwnerFilter(context.User), ct);
        if (file is null)
        {
            return NotFound(id);
        }

        return TypedResults.Stream(file.Content, file.ContentType, file.FileName);
    }

    // TypedResults.Problem, not NotFound(new ProblemDetails): only the former answers application/problem+json.
    private static ProblemHttpResult NotFound(long id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Dataset not found",
        detail: $"There is no dataset {id} that you can see. Teachers see their own uploads; administrators see all.");
}

/// <summary>An archive, restore or delete that happened, and the training it queued.</summary>
internal sealed record DatasetChangeResponse(long Id, string Message, long? QueuedTrainingRunId);

/// <summary>An upload cancelled because rows overlap accepted datasets (<c>on_overlap=cancel</c>): nothing was stored.</summary>
internal sealed record OverlapCancelledResponse(bool Stored, string Message, long OverlappingRows, IReadOnlyList<long> OverlappingDatasetIds);

internal sealed record DatasetListResponse(int Total, int Skip, int Take, IReadOnlyList<DatasetSummary> Items);

/// <summary>The API's view of one dataset: its record plus the validation report (snake_case like the rest of the API).</summary>
internal sealed record DatasetResponse(
    long Id, string FileName, string? Label, DatasetStatus Status, string Sha256, long SizeBytes, DatasetFormat Format, string? Sheet,
    long TotalRows, long ValidRows, long LabelledRows, long RowsWithWarnings, bool TooSmallToTrain, long? DuplicateOfId,
    DateTimeOffset UploadedAt, string? ErrorText, DatasetValidationReport? Report, DateTimeOffset? ArchivedAt)
{
    /// <summary>Rows of this upload that replaced rows of older datasets in training (on an upload's answer only).</summary>
    public long OverlappingRows { get; init; }

    public static DatasetResponse From(UploadedDataset d, DatasetValidationReport? report) => new(
        d.Id, d.FileName, d.Label, d.Status, d.Sha256, d.SizeBytes, d.Format, d.Sheet, d.TotalRows, d.ValidRows, d.LabelledRows,
        d.RowsWithWarnings, d.TooSmallToTrain, d.DuplicateOfId, d.UploadedAt, d.ErrorText,
        report, d.ArchivedAt);
}
