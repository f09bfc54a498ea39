using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Quartz;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Web.Components.UI;
using StudyRecs.Web.Features.Accounts;

namespace StudyRecs.Web.Features.Training;

internal static class TrainingEndpoints
{
    public static void MapTrainingEndpoints(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/models").RequireAuthorization(Policies.Staff);
        models.MapGet("/{task}/{version}/model.bin", ModelFileAsync);
        models.MapGet("/{task}/{version}/metrics.json", MetricsAsync);

        // A plain form post from the model pages (antiforgery checked by hand so a stale form gets a message, not a bare 400).
        app.MapPost("/training/retrain", RetrainAsync).RequireAuthorization(Policies.Staff).DisableAntiforgery();
        var api = app.MapGroup("/api/training").RequireAuthorization(Policies.StaffApi).WithTags("Training");
        api.MapGet("/runs/{id:long}", RunAsync).WithSummary("Status of one training run (for polling).").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/pins", PinsAsync).WithSummary("Tasks whose active version was chosen by hand: who pinned which version, when and why.");
        api.MapPost("/models/{task}/{version}/activate", ActivateAsync).RequireAuthorization(Policies.AdminApi).DisableAntiforgery()
            .WithSummary("Make a version the task's active model and pin it (administrators; ?reason= required); trainings then register versions without activating them.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/models/{task}/unpin", UnpinAsync).RequireAuthorization(Policies.AdminApi).DisableAntiforgery()
            .WithSummary("Let trainings activate the task's versions again (administrators; ?reason= required); audited.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Ok<IReadOnlyList<ModelPin>>> PinsAsync(ModelPins pins, CancellationToken ct) => TypedResults.Ok(await pins.ListAsync(ct));

    private static async Task<Results<Ok<ModelChangeResponse>, ProblemHttpResult>> ActivateAsync(string task, string version, string? reason, HttpContext context, IAntiforgery antiforgery, ModelActivations activations, CancellationToken ct)
    {
        if (await ApiAntiforgery.IsUnprotectedCookieRequestAsync(context, antiforgery))
        {
            return ApiAntiforgery.Refused();
        }

        if (ModelFormatting.ParseSlug(task) is not { } t)
        {
            return UnknownTask(task);
        }

        var result = await activations.ActivateAsync(t, version, context.User.Identity?.Name ?? "admin", reason ?? "", ct);
        if (result.Succeeded)
        {
            return TypedResults.Ok(new ModelChangeResponse(t, result.Model!.Version, result.Message));
        }

        return result.Failure switch
        {
            ActivationFailure.UnknownVersion => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Message),
            ActivationFailure.MissingReason => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Reason required", detail: result.Message + " Send it as ?reason=."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not activated", detail: result.Message),
        };
    }

    private static async Task<Results<Ok<ModelChangeResponse>, ProblemHttpResult>> UnpinAsync(string task, string? reason, HttpContext context, IAntiforgery antiforgery, ModelPins pins, CancellationToken ct)
    {
        if (await ApiAntiforgery.IsUnprotectedCookieRequestAsync(context, antiforgery))
        {
            return ApiAntiforgery.Refused();
        }

        if (ModelFormatting.ParseSlug(task) is not { } t)
        {
            return UnknownTask(task);
        }

        var result = await pins.UnpinAsync(t, context.User.Identity?.Name ?? "admin", reason ?? "", ct);
        if (result.Succeeded)
        {
            return TypedResults.Ok(new ModelChangeResponse(t, null, result.Message));
        }

        return string.IsNullOrWhiteSpace(reason)
                ? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Reason required", detail: result.Message + " Send it as ?reason=.")
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not unpinned", detail: result.Message);
    }

    private static ProblemHttpResult UnknownTask(string task) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown task",
        detail: $"'{(task.Length > 40 ? task[..40] + "…" : task)}' is not a model task; use regression, classification or recommendation.");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ModelFileAsync(string task, string version, ModelRegistry registry, CancellationToken ct)
    {
        var model = ModelFormatting.ParseSlug(task) is { } t ? await registry.GetAsync(t, version, ct) : null;
        var artifact = model is null ? null : await registry.ReadArtifactAsync(model.Id, ModelArtifacts.ReadAllBytes, ct);
        if (model is null || artifact is null)
        {
            return NotFound();
        }

        return TypedResults.File(artifact, "application/octet-stream", $"studyrecs-{task}-{model.Version}.model");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> MetricsAsync(string task, string version, ModelRegistry registry, CancellationToken ct)
    {
        var model = ModelFormatting.ParseSlug(task) is { } t ? await registry.GetAsync(t, version, ct) : null;
        if (model is null)
        {
            return NotFound();
        }

        return TypedResults.Text(model.MetricsJson, "application/json; charset=utf-8");
    }

    private static async Task<Results<Ok<TrainingRunResponse>, ProblemHttpResult>> RunAsync(long id, ModelRegistry registry, CancellationToken ct)
    {
        if (await registry.GetRunAsync(id, ct) is not { } run)
        {
            return NotFound();
        }

        return TypedResults.Ok(new TrainingRunResponse(run.Id, run.Status, run.Step, run.CandidateIndex, run.CandidateCount, run.StartedAt, run.FinishedAt, run.Error, run.ResultSummary));
    }

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> RetrainAsync(HttpContext context, IAntiforgery antiforgery, TrainingDispatcher training, CancellationToken ct)
    {
        if (!context.Request.HasFormContentType)
        {
            return ApiAntiforgery.NotAForm();
        }

        var back = PageRedirect.LocalOrHome(context.Request.Form["returnUrl"].ToString() is { Length: > 0 } r ? r : "/models");
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            PageRedirect.SetStatus(context, "Error: the form expired. Reload the page and press Retrain again.");
            return TypedResults.LocalRedirect(back);
        }

        var run = await training.EnqueueAsync(new TrainingRequest(null, $"retrain requested by {context.User.Identity?.Name}"), ct);
        PageRedirect.SetStatus(context, $"Training run {run.Id} is queued; this page shows its progress.");
        return TypedResults.LocalRedirect(back);
    }

    // TypedResults.Problem, not NotFound(new ProblemDetails): only the former answers application/problem+json.
    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
        detail: "There is no such model version or training run.");
}

/// <summary>One training run's progress, for polling (its status as a word, as the enum's converter writes it).</summary>
internal sealed record TrainingRunResponse(long Id, TrainingRunStatus Status, string Step, int CandidateIndex, int CandidateCount,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Error, string? ResultSummary);

/// <summary>An activation or unpin that happened: the task, the version now active and pinned (null after an unpin), and the message.</summary>
internal sealed record ModelChangeResponse(ModelTask Task, string? Version, string Message);
