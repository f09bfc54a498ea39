using System.Globalization;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Resources;

/// <summary>
/// The catalog as a spreadsheet-safe CSV (<see cref="SpreadsheetSafeCsv"/>): the import columns first, so an edited
/// export can be imported elsewhere, then id, status and history.
/// </summary>
public static class ResourceCatalogCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static async Task WriteAsync(IAsyncEnumerable<LearningResource> resources, TextWriter writer, CancellationToken cancellationToken)
    {
        SpreadsheetSafeCsv.WriteRecord(writer, [.. ResourceFields.All, "id", "status", "created_at", "created_by", "updated_at", "updated_by"]);
        await foreach (var r in resources.WithCancellation(cancellationToken))
        {
            SpreadsheetSafeCsv.WriteRecord(writer,
                r.Title, r.Description, r.Subject, r.Topic, ResourceNames.Of(r.Difficulty), ResourceNames.Of(r.Type), r.Url,
                r.Minutes.ToString(CultureInfo.InvariantCulture), string.Join("; ", r.Tags),
                r.Id.ToString(CultureInfo.InvariantCulture), r.IsRetired ? "retired" : "active",
                r.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), r.CreatedBy,
                r.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), r.UpdatedBy);
        }
    }
}
