using System.Globalization;

namespace StudyRecs.Web.Features.Training;

/// <summary>Times on the jobs page: UTC to the second, a dash when there is none.</summary>
internal static class JobTimes
{
    public static string Format(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "—";
}
