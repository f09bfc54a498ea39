using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
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
        api.MapGet("/runs/{id:long}", RunAsync).WithSummary("Status of one training run (for polling).");
    }

    private static async Task<IResult> ModelFileAsync(string task, string version, ModelRegistry registry, CancellationToken ct)
    {
        var model = ModelFormatting.ParseSlug(task) is { } t ? await registry.GetAsync(t, version, includeArtifact: true, ct) : null;
        return model is null ? NotFound() : TypedResults.File(model.Artifact, "application/octet-stream", $"studyrecs-{task}-{model.Version}.model");
    }

    private static async Task<IResult> MetricsAsync(string task, string version, ModelRegistry registry, CancellationToken ct)
    {
        var model = ModelFormatting.ParseSlug(task) is { } t ? await registry.GetAsync(t, version, includeArtifact: false, ct) : null;
        return model is null ? NotFound() : TypedResults.Text(model.MetricsJson, "application/json; charset=utf-8");
    }

    private static async Task<IResult> RunAsync(long id, ModelRegistry registry, CancellationToken ct) =>
        await registry.GetRunAsync(id, ct) is { } run
            ? TypedResults.Ok(new { run.Id, Status = run.Status.ToString(), run.Step, run.CandidateIndex, run.CandidateCount, run.StartedAt, run.FinishedAt, run.Error, run.ResultSummary })
            : NotFound();

    private static async Task<IResult> RetrainAsync(HttpContext context, IAntiforgery antiforgery, TrainingDispatcher training, CancellationToken ct)
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

    private static NotFound<ProblemDetails> NotFound() => TypedResults.NotFound(new ProblemDetails
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Not found",
        Detail = "There is no such model version or training run.",
    });
}
