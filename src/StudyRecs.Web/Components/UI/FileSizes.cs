using System.Globalization;

namespace StudyRecs.Web.Components.UI;

/// <summary>File sizes as people read them on the upload pages and a dataset's facts.</summary>
public static class FileSizes
{
    public static string Format(long bytes) => bytes switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        1 => "1 byte",
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
