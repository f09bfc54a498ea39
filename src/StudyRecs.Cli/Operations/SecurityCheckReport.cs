using System.Text.Json;
using System.Text.Json.Serialization;

namespace StudyRecs.Cli.Operations;

internal enum CheckStatus
{
    Pass,
    Warn,
    Fail,
}

/// <summary>One line of <c>studyrecs security check</c>.</summary>
internal sealed record SecurityCheckResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("detail")] string Detail)
{
    public static SecurityCheckResult Of(string name, CheckStatus status, string detail) => new(name, status.ToString().ToLowerInvariant(), detail);

    [JsonIgnore]
    public bool Failed => Status == "fail";

    [JsonIgnore]
    public bool Warned => Status == "warn";
}

/// <summary>Every check's result, with the exit code the contract gives them (0 nothing failed, 1 a failure or, strictly, a warning).</summary>
internal sealed record SecurityCheckReport(IReadOnlyList<SecurityCheckResult> Checks)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public int ExitCode(bool strict) => Checks.Any(c => c.Failed) || (strict && Checks.Any(c => c.Warned)) ? 1 : 0;

    public string ToJson(bool strict) => JsonSerializer.Serialize(new
    {
        checks = Checks,
        passed = Checks.Count(c => c.Status == "pass"),
        warnings = Checks.Count(c => c.Warned),
        failures = Checks.Count(c => c.Failed),
        exit_code = ExitCode(strict),
    }, Json);

    public void Print(TextWriter output)
    {
        foreach (var c in Checks)
        {
            output.WriteLine($"{c.Status.ToUpperInvariant(),-5} {c.Name,-28} {c.Detail}");
        }

        output.WriteLine($"{Checks.Count(c => c.Status == "pass")} passed, {Checks.Count(c => c.Warned)} warnings, {Checks.Count(c => c.Failed)} failed");
    }
}
