using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;

namespace StudyRecs.Web.Features.Recommendations;

/// <summary>
/// The download of the "Models trained elsewhere" page: the logged interactions as CSV, the file
/// <c>studyrecs recommend export-interactions</c> writes (admins, by the portal's cookie; the upload goes through the live page).
/// </summary>
internal static class ExternalScoreEndpoints
{
    public const string InteractionsPath = "/recommendations/external/interactions.csv";

    /// <summary>What <c>since</c> may look like: a day (UTC), or an ISO 8601 moment with its offset.</summary>
    private static readonly string[] SinceFormats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    private static readonly string[] Parameters = ["since"];

    public static void MapExternalScoreEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet(InteractionsPath, InteractionsAsync).RequireAuthorization(Policies.Admin).ExcludeFromDescription();

    /// <summary>
    /// Reads <paramref name="text"/> as the first moment to export: a day starts at 00:00 UTC. Null with an error
    /// message when it is not a date or lies in the future.
    /// </summary>
    public static bool TryParseSince(string? text, DateTimeOffset now, out DateTimeOffset? since, out string? error)
    {
        since = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var trimmed = text.Trim();
        if (!DateTimeOffset.TryParseExact(trimmed, SinceFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            error = $"“{Shorten(trimmed)}” is not a date: write it as 2026-09-01 (a day, UTC) or 2026-09-01T08:00:00Z.";
            return false;
        }

        if (parsed > now)
        {
            error = $"{Shorten(trimmed)} is in the future: nothing was logged after it. Leave the date empty for every interaction.";
            return false;
        }

        since = parsed;
        return true;
    }

    private static async Task<Results<EmptyHttpResult, ValidationProblem>> InteractionsAsync(HttpContext context, IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time)
    {
        var query = context.Request.Query;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var key in query.Keys.Where(k => !Parameters.Contains(k, StringComparer.Ordinal)))
        {
            errors[key] = ["Unknown parameter. Allowed: since (yyyy-MM-dd)."];
        }

        var sinceValues = query["since"];
        DateTimeOffset? since = null;
        if (sinceValues.Count > 1)
        {
            errors["since"] = ["Give since once."];
        }
        else if (!TryParseSince(sinceValues.ToString(), time.GetUtcNow(), out since, out var error))
        {
            errors["since"] = [error!];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The export has invalid parameters",
                detail: "Fix the parameters listed under errors and download again; leave since out for every interaction.");
        }

        var day = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var from = since is { } s ? $"since-{s.UtcDateTime:yyyy-MM-dd}-" : "";
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"studyrecs-interactions-{from}{day}.csv\"";
        context.Response.Headers.CacheControl = "no-store";

        // No byte-order mark: the file is for training pipelines, as the CLI writes it.
        await using (var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16))
        {
            await new InteractionExport(dbs).WriteCsvAsync(writer, since, context.RequestAborted);
        }

        return TypedResults.Empty;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 39), "…");
}
