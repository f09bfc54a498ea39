using System.Globalization;
using System.Text.Json;
using StudyRecs.Core.Recommendations;

namespace StudyRecs.Web.Features.Recommendations;

/// <summary>One event as read from the body, before the caller's rights and the resource are checked.</summary>
internal sealed record ReportedEvent(string Path, string? StudentId, long ResourceId, RecommendationEventType Type, string? Strategy, int? Position, string RequestId, int? DwellSeconds, DateTime? AtUtc);

/// <summary>The events of a body, or the problems per field (<c>resource_id</c>, or <c>[2].resource_id</c> in an array).</summary>
internal sealed record ReportedEvents(IReadOnlyList<ReportedEvent> Events, Dictionary<string, string[]> Errors)
{
    public bool IsValid => Errors.Count == 0 && Events.Count > 0;
}

/// <summary>
/// Strict reader of <c>POST /api/recommendations/events</c>: one event object, or an array of them. Fields:
/// <c>resource_id</c>, <c>type</c>, <c>request_id</c> (required); <c>student_id</c>, <c>strategy</c>, <c>position</c>,
/// <c>dwell_seconds</c> (views only, and required for them), <c>at</c> (ISO-8601 with offset; defaults to now).
/// Unknown fields, wrong types and values out of range are errors naming the field.
/// </summary>
internal static partial class RecommendationEventReader
{
    public static readonly string[] KnownFields = ["student_id", "resource_id", "type", "strategy", "position", "request_id", "dwell_seconds", "at"];

    // Clocks of phones and browsers drift; a little future is tolerated.
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    public static ReportedEvents Read(JsonElement root, RecommendationOptions options, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var events = new List<ReportedEvent>();
        if (root.ValueKind == JsonValueKind.Object)
        {
            ReadOne(root, "", options, now, events, errors);
        }
        else if (root.ValueKind == JsonValueKind.Array)
        {
            var count = root.GetArrayLength();
            if (count == 0 || count > options.MaxEventsPerRequest)
            {
                errors["$"] = [$"Send 1 to {options.MaxEventsPerRequest} events in one array."];
            }
            else
            {
                var i = 0;
                foreach (var item in root.EnumerateArray())
                {
                    var prefix = $"[{i++}].";
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        errors[prefix[..^1]] = ["Each event must be a JSON object."];
                        continue;
                    }

                    ReadOne(item, prefix, options, now, events, errors);
                }
            }
        }
        else
        {
            errors["$"] = ["The body must be an event object or an array of them, e.g. {\"resource_id\": 12, \"type\": \"click\", \"request_id\": \"0193...\"}."];
        }

        return new ReportedEvents(events, errors);
    }

    private static void ReadOne(JsonElement item, string prefix, RecommendationOptions options, DateTimeOffset now, List<ReportedEvent> events, Dictionary<string, string[]> errors)
    {
        var before = errors.Count;
        string? studentId = null, strategy = null, requestId = null;
        long? resourceId = null;
        RecommendationEventType? type = null;
        int? position = null, dwell = null;
        DateTime? at = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            var name = property.Name;
            var field = prefix + name;
            var value = property.Value;
            if (!seen.Add(name))
            {
                errors[field] = ["The field is given twice."];
                continue;
            }

            switch (name)
            {
                case "student_id":
                    if (value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 and <= Core.Datasets.GradebookColumns.MaxIdentifierLength } id)
                    {
                        studentId = id;
                    }
                    else
                    {
                        errors[field] = ["Must be the student id as text; leave it out to report for yourself."];
                    }

                    break;
                case "resource_id":
                    if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var r) && r >= 1)
                    {
                        resourceId = r;
                    }
                    else
                    {
                        errors[field] = ["Must be the resource's id, a whole number from 1."];
                    }

                    break;
                case "type":
                    if (value.ValueKind == JsonValueKind.String && RecommendationEventRules.TryParseType(value.GetString(), out var t))
                    {
                        type = t;
                    }
                    else
                    {
                        errors[field] = [$"Must be one of: {string.Join(", ", Enum.GetValues<RecommendationEventType>().Select(RecommendationEventRules.Name))}."];
                    }

                    break;
                case "strategy":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        break;
                    }

                    if (value.ValueKind == JsonValueKind.String && RecommendationEventRules.IsStrategy(value.GetString()))
                    {
                        strategy = value.GetString();
                    }
                    else
                    {
                        errors[field] = [$"Must be the strategy the recommendation came with: {string.Join(", ", RecommendationEventRules.Strategies)} or {ImportedScoreSet.StrategyPrefix}LABEL."];
                    }

                    break;
                case "position":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        break;
                    }

                    if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var p) && p is >= 1 and <= RecommendationEventRules.MaxPosition)
                    {
                        position = p;
                    }
                    else
                    {
                        errors[field] = [$"Must be the 1-based rank in the list, a whole number from 1 to {RecommendationEventRules.MaxPosition}."];
                    }

                    break;
                case "request_id":
                    if (value.ValueKind == JsonValueKind.String && RecommendationEventRules.IsRequestId(value.GetString()))
                    {
                        requestId = value.GetString();
                    }
                    else
                    {
                        errors[field] = [$"Must be the request id of the recommendation answer: 1 to {RecommendationEvent.MaxRequestIdLength} letters, digits, '-' or '_'."];
                    }

                    break;
                case "dwell_seconds":
                    if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var d) && d >= 0 && d <= options.MaxDwellSeconds)
                    {
                        dwell = d;
                    }
                    else
                    {
                        errors[field] = [$"Must be the seconds spent on the resource, a whole number from 0 to {options.MaxDwellSeconds}."];
                    }

                    break;
                case "at":
                    if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && WithOffset().IsMatch(text)
                        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var when))
                    {
                        if (when > now + FutureTolerance || when < now.AddDays(-options.MaxEventAgeDays))
                        {
                            errors[field] = [$"Must lie within the last {options.MaxEventAgeDays} days and not in the future."];
                        }
                        else
                        {
                            at = when.UtcDateTime;
                        }
                    }
                    else
                    {
                        errors[field] = ["Must be an ISO-8601 time with an offset, e.g. 2026-11-30T14:05:00Z."];
                    }

                    break;
                default:
                    errors[field] = [$"Unknown field. Allowed: {string.Join(", ", KnownFields)}."];
                    break;
            }
        }

        foreach (var required in new[] { "resource_id", "type", "request_id" })
        {
            if (!seen.Contains(required))
            {
                errors[prefix + required] = ["Required."];
            }
        }

        if (type == RecommendationEventType.View && dwell is null && !errors.ContainsKey(prefix + "dwell_seconds"))
        {
            errors[prefix + "dwell_seconds"] = ["Required for a view: the seconds spent on the resource."];
        }
        else if (type is { } other && other != RecommendationEventType.View && seen.Contains("dwell_seconds"))
        {
            errors[prefix + "dwell_seconds"] = ["Only a view has a dwell time."];
        }

        if (errors.Count == before)
        {
            events.Add(new ReportedEvent(prefix, studentId, resourceId!.Value, type!.Value, strategy, position, requestId!, dwell, at));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex WithOffset();
}
