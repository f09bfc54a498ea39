using System.Globalization;

namespace StudyRecs.Web.Features.Training;

/// <summary>Quartz cron expressions (seconds first) in words for the jobs page; anything unusual is shown as written.</summary>
internal static class CronText
{
    private static readonly Dictionary<string, string> Days = new(StringComparer.OrdinalIgnoreCase)
    {
        ["MON"] = "Monday",
        ["TUE"] = "Tuesday",
        ["WED"] = "Wednesday",
        ["THU"] = "Thursday",
        ["FRI"] = "Friday",
        ["SAT"] = "Saturday",
        ["SUN"] = "Sunday",
        ["2"] = "Monday",
        ["3"] = "Tuesday",
        ["4"] = "Wednesday",
        ["5"] = "Thursday",
        ["6"] = "Friday",
        ["7"] = "Saturday",
        ["1"] = "Sunday",
    };

    public static string Describe(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            return "not scheduled";
        }

        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length is < 6 or > 7 || f[0] != "0" || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minute) || minute > 59
            || (f.Length == 7 && f[6] != "*"))
        {
            return cron;
        }

        var everyDay = f[3] is "*" or "?" && f[4] == "*" && f[5] is "*" or "?";
        if (f[2] == "*" && everyDay)
        {
            return minute == 0 ? "every hour, on the hour" : $"every hour at {minute} minutes past";
        }

        if (!int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var hour) || hour > 23)
        {
            return cron;
        }

        var at = $"{hour:00}:{minute:00} (server time)";
        if (everyDay)
        {
            return $"every day at {at}";
        }

        if (f[3] == "?" && f[4] == "*" && f[5].Split(',').All(Days.ContainsKey))
        {
            return $"every {string.Join(", ", f[5].Split(',').Select(d => Days[d]))} at {at}";
        }

        return cron;
    }
}
