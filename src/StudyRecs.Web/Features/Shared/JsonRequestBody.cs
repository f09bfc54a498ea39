using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace StudyRecs.Web.Features.Shared;

/// <summary>
/// The JSON-body check of the API's hand-read endpoints: a body that is not JSON is refused with 415, one that does
/// not parse with 400, one over the server's body limit with 413, all as Problem Details saying what to send.
/// </summary>
internal static class JsonRequestBody
{
    /// <param name="what">What to send, as in "Send {what} with Content-Type: application/json."</param>
    /// <param name="hint">What a valid body looks like, after the parser's message.</param>
    /// <returns>The parsed document (the caller disposes it), or the refusal to answer.</returns>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Refusal)> ReadAsync(HttpContext context, JsonDocumentOptions options, string what, string hint, CancellationToken ct)
    {
        if (!context.Request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "JSON expected",
                detail: $"Send {what} with Content-Type: application/json."));
        }

        try
        {
            return (await JsonDocument.ParseAsync(context.Request.Body, options, ct), null);
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON", detail: $"{e.Message} {hint}"));
        }
        catch (BadHttpRequestException e)
        {
            // The server refused the body while it was read (too large, or cut short).
            return (null, TypedResults.Problem(statusCode: e.StatusCode, title: "The body could not be read", detail: $"{e.Message} {hint}"));
        }
    }
}
