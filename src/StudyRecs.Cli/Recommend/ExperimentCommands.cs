using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;

namespace StudyRecs.Cli.Recommend;

/// <summary>
/// <c>studyrecs recommend ab-test list|show|start|stop</c> (A/B tests of recommendation strategies) and
/// <c>studyrecs recommend precompute</c> (the nightly lists, now), over the portal's database.
/// </summary>
internal static class ExperimentCommands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        Training.TrainCommand.ConfigureServices(services, configuration);
        services.AddStudyRecsResources();
        services.AddStudyRecsPredictions();
        services.AddStudyRecsRecommendations();
    }

    public static Command AbTest()
    {
        var command = new Command("ab-test", "A/B tests of recommendation strategies: list them, show one's results, start or stop one");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Start());
        command.Subcommands.Add(Stop());
        return command;
    }

    public static Command Precompute()
    {
        var command = new Command("precompute", "Write every active student's recommendations into the precomputed table now (what the nightly job does)");
        command.SetAction((pr, ct) => RunAsync(async services =>
        {
            var progress = new Progress<(int Done, int Total)>(p =>
            {
                if (p.Total > 0 && p.Done < p.Total)
                {
                    Console.Error.WriteLine($"{p.Done} of {p.Total} students");
                }
            });
            var outcome = await services.GetRequiredService<PrecomputedRecommendations>().RunAsync(progress, ct);
            Console.WriteLine(outcome.Message);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("list", "Every A/B test, the latest first, with its groups, days and status") { json };
        command.SetAction((pr, ct) => RunAsync(async services =>
        {
            var now = DateTime.UtcNow;
            var tests = await services.GetRequiredService<RecommendationExperiments>().ListAsync(ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(tests.Select(t => new { t.Id, t.Name, t.StrategyA, t.StrategyB, Start = t.StartUtc, End = t.EffectiveEndUtc, Status = Status(t.StatusAt(now)) }), Json));
                return ExitCodes.Ok;
            }

            if (tests.Count == 0)
            {
                Console.WriteLine("No A/B test yet. Start one with: studyrecs recommend ab-test start --name NAME --a STRATEGY --b STRATEGY --end YYYY-MM-DD");
                return ExitCodes.Ok;
            }

            Console.WriteLine($"{"ID",-5} {"STATUS",-10} {"FROM",-10} {"TO",-10} {"GROUP A",-16} {"GROUP B",-16} NAME");
            foreach (var t in tests)
            {
                Console.WriteLine($"{t.Id,-5} {Status(t.StatusAt(now)),-10} {Day(t.StartUtc),-10} {Day(t.EffectiveEndUtc.AddTicks(-1)),-10} {t.StrategyA,-16} {t.StrategyB,-16} {t.Name}");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("ID") { Description = "The test's number, as `ab-test list` shows it" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var command = new Command("show", "One test's results: per group the students, shown, clicks, completions and rates with 95 % intervals, the difference and the verdict") { id, json };
        command.SetAction((pr, ct) => RunAsync(async services =>
        {
            if (!long.TryParse(pr.GetValue(id), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || await services.GetRequiredService<RecommendationExperiments>().ReportAsync(number, ct) is not { } report)
            {
                await Console.Error.WriteLineAsync($"There is no A/B test '{pr.GetValue(id)}'; see studyrecs recommend ab-test list.");
                return ExitCodes.Failed;
            }

            if (pr.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    report.Experiment.Id,
                    report.Experiment.Name,
                    Status = Status(report.Status),
                    Groups = new[] { report.A, report.B }.Select(g => new
                    {
                        Group = g.Arm.ToString(),
                        g.Strategy,
                        g.StudentsServed,
                        g.StudentsShown,
                        g.Shown,
                        g.Clicks,
                        g.Completions,
                        Ctr = Interval(g.Ctr),
                        CompletionRate = Interval(g.CompletionRate),
                    }),
                    CtrDifference = Difference(report.Ctr),
                    CompletionDifference = Difference(report.Completion),
                    SplitPValue = report.SplitPValue,
                    report.Findings,
                }, Json));
                return ExitCodes.Ok;
            }

            Console.WriteLine($"A/B test {report.Experiment.Id}: {report.Experiment.Name} ({Status(report.Status)}, {Day(report.Experiment.StartUtc)} to {Day(report.Experiment.EffectiveEndUtc.AddTicks(-1))})");
            foreach (var g in new[] { report.A, report.B })
            {
                Console.WriteLine($"  Group {g.Arm} ({g.Strategy}): {g.StudentsServed} students served, {g.StudentsShown} saw a list; shown {g.Shown}, clicks {g.Clicks}, completions {g.Completions}; " +
                    $"CTR {Rate(g.Ctr)}, completion rate {Rate(g.CompletionRate)}");
            }

            foreach (var finding in report.Findings)
            {
                Console.WriteLine("  " + finding);
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Start()
    {
        var name = new Option<string>("--name") { Description = "What the test is about", Required = true };
        var a = new Option<string>("--a") { Description = "Group A's strategy (one the serving version has, or fallback)", Required = true, HelpName = "STRATEGY" };
        var b = new Option<string>("--b") { Description = "Group B's strategy", Required = true, HelpName = "STRATEGY" };
        var start = new Option<string?>("--start") { Description = "The first day, UTC (today, the default, starts now)", HelpName = "YYYY-MM-DD" };
        var end = new Option<string>("--end") { Description = "The last day, UTC (the test ends when it ends)", Required = true, HelpName = "YYYY-MM-DD" };
        var by = new Option<string>("--by") { Description = "Who starts it, for the record", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command("start", "Schedule an A/B test: established students get the strategy of their group (a stable hash of their id) from the first to the last day")
        {
            name, a, b, start, end, by,
        };
        command.SetAction((pr, ct) => RunAsync(async services =>
        {
            var errors = new List<string>();
            var first = Date(pr.GetValue(start), "--start", errors);
            var last = Date(pr.GetValue(end), "--end", errors);
            if (errors.Count > 0)
            {
                await Console.Error.WriteLineAsync(string.Join(" ", errors));
                return ExitCodes.Failed;
            }

            var model = await services.GetRequiredService<ActiveRecommender>().GetAsync(ct);
            var (created, refused) = await services.GetRequiredService<RecommendationExperiments>().CreateAsync(
                new ExperimentDraft(pr.GetValue(name), pr.GetValue(a), pr.GetValue(b), first, last), [.. model.Strategies.Keys], "cli:" + pr.GetValue(by), ct);
            if (created is null)
            {
                await Console.Error.WriteLineAsync("The test was not started: " + string.Join(" ", refused));
                return ExitCodes.Failed;
            }

            Console.WriteLine($"A/B test {created.Id} “{created.Name}”: group A gets {created.StrategyA}, group B {created.StrategyB}, {Day(created.StartUtc)} to {Day(created.EndUtc.AddTicks(-1))} " +
                $"({Status(created.StatusAt(DateTime.UtcNow))}). Portals pick it up on their next recommendation.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Stop()
    {
        var id = new Argument<string>("ID") { Description = "The test's number" };
        var by = new Option<string>("--by") { Description = "Who stops it, for the record", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command("stop", "Stop a running test now, or cancel a scheduled one") { id, by };
        command.SetAction((pr, ct) => RunAsync(async services =>
        {
            var experiments = services.GetRequiredService<RecommendationExperiments>();
            if (!long.TryParse(pr.GetValue(id), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || await experiments.FindAsync(number, ct) is not { } test)
            {
                await Console.Error.WriteLineAsync($"There is no A/B test '{pr.GetValue(id)}'; see studyrecs recommend ab-test list.");
                return ExitCodes.Failed;
            }

            if (!await experiments.StopAsync(number, "cli:" + pr.GetValue(by), ct))
            {
                await Console.Error.WriteLineAsync($"A/B test {number} “{test.Name}” is already over ({Status(test.StatusAt(DateTime.UtcNow))}).");
                return ExitCodes.Failed;
            }

            Console.WriteLine($"A/B test {number} “{test.Name}” {(test.StatusAt(DateTime.UtcNow) == ExperimentStatus.Running ? "stopped" : "cancelled")}.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Task<int> RunAsync(Func<IServiceProvider, Task<int>> action, CancellationToken ct) => CliDatabase.GuardAsync(async () =>
    {
        await using var services = CliServices.Build(ConfigureServices);
        await CliDatabase.MigrateAsync(services, ct);
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    });

    private static DateOnly? Date(string? text, string option, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        errors.Add($"{option} '{text}' is not a date; write it as 2026-12-31.");
        return null;
    }

    private static string Status(ExperimentStatus status) => status switch
    {
        ExperimentStatus.Stopped => "stopped",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static object Interval(RateEstimate e) => new { e.Value, Low = e.HasInterval ? e.Low : (double?)null, High = e.HasInterval ? e.High : (double?)null };

    private static object Difference(RateDifference d) => new
    {
        d.Value,
        Low = double.IsNaN(d.Low) ? (double?)null : d.Low,
        High = double.IsNaN(d.High) ? (double?)null : d.High,
        PValue = double.IsNaN(d.PValue) ? (double?)null : d.PValue,
        d.Significant,
    };

    private static string Rate(RateEstimate e) =>
        (e.Value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" + (e.HasInterval
            ? $" (95 % interval {(e.Low * 100).ToString("0.0", CultureInfo.InvariantCulture)} to {(e.High * 100).ToString("0.0", CultureInfo.InvariantCulture)} %)" : "");

    private static string Day(DateTime utc) => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
