using Microsoft.AspNetCore.Http.Features;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Web.Features.Datasets;

/// <summary>Reads an upload (file, optional sheet and label) from a multipart request (the upload API).</summary>
/// <param name="OnOverlap">The <c>on_overlap</c> field (ask, replace or cancel) as sent; null when absent.</param>
internal sealed record DatasetUploadForm(IFormFile? File, string? Sheet, string? Label, bool AllowDuplicate, string? OnOverlap = null)
{
    public const int MaxTextField = 200;

    /// <summary>The form field (or query parameter) choosing what happens to rows that overlap accepted datasets.</summary>
    public const string OnOverlapField = "on_overlap";

    /// <summary>
    /// The overlap policy the caller chose (form field, else query parameter), <paramref name="fallback"/> when none was
    /// given, or an error message for a value that is not ask, replace or cancel.
    /// </summary>
    public (OverlapPolicy Policy, string? Error) Policy(HttpRequest request, OverlapPolicy fallback)
    {
        var text = OnOverlap ?? (request.Query[OnOverlapField].ToString() is { Length: > 0 } q ? q : null);
        if (text is null)
        {
            return (fallback, null);
        }

        return DatasetOverlap.ParsePolicy(text) is { } policy
            ? (policy, null)
            : (fallback, $"'{(text.Length > 20 ? text[..20] + "…" : text)}' is not a choice for {OnOverlapField}: use ask, replace or cancel.");
    }

    /// <summary>The parsed form, or an error message a person can act on.</summary>
    public static async Task<(DatasetUploadForm? Form, string? Error)> ReadAsync(HttpRequest request, DatasetOptions options, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return (null, "Send the file as multipart/form-data with a part named 'file'.");
        }

        var limit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (limit is { IsReadOnly: false })
        {
            // A little room for the multipart framing around the file itself.
            limit.MaxRequestBodySize = options.MaxUploadBytes + 64 * 1024;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = options.MaxUploadBytes + 64 * 1024 }, ct);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (null, ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } || ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? $"The file is larger than the upload limit of {options.MaxUploadBytes / (1024 * 1024)} MB. Split it, or remove columns StudyRecs does not need."
                : "The upload could not be read (it was cut off or malformed). Try again.");
        }

        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0 && string.IsNullOrEmpty(file.FileName))
        {
            return (null, "Choose a CSV or Excel file to upload.");
        }

        string? Text(string key) => form[key].ToString() is { Length: > 0 } v ? v.Trim()[..Math.Min(v.Trim().Length, MaxTextField)] : null;
        var allowDuplicate = string.Equals(form["allowDuplicate"], "true", StringComparison.OrdinalIgnoreCase);
        return (new DatasetUploadForm(file, Text("sheet"), Text("label"), allowDuplicate, Text(OnOverlapField)), null);
    }
}
