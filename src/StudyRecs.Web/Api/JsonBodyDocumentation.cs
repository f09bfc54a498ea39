using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace StudyRecs.Web.Api;

/// <summary>
/// Describes a hand-read JSON body in the OpenAPI document only. <c>Accepts&lt;T&gt;</c> would also make routing answer
/// another content type itself, before authorization, with the fallback policy's challenge: a bearer caller sending
/// a form got 401 instead of 415. The handlers check the content type themselves (<c>JsonRequestBody</c>).
/// </summary>
internal static class JsonBodyDocumentation
{
    public static RouteHandlerBuilder DocumentJsonBody<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, ct) => operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct) },
            },
        });
}
