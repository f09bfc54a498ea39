using System.CommandLine;
using System.Diagnostics;
using System.Text;

namespace StudyRecs.Cli.Engagement;

/// <summary><c>studyrecs generate engagement</c>: students, resources and interactions CSVs for the recommenders.</summary>
internal static class GenerateEngagementCommand
{
    private const int Ok = 0;

    /// <summary>Bad arguments or an unwritable output directory.</summary>
    private const int BadInput = 2;

    public static Command Create()
    {
        var students = new Option<int>("--students") { Description = "Number of students", DefaultValueFactory = _ => 100_000 };
        var resources = new Option<int>("--resources") { Description = "Number of resources", DefaultValueFactory = _ => 10_000 };
        var events = new Option<long>("--events") { Description = "Number of interaction events", DefaultValueFactory = _ => 3_000_000 };
        var outDir = new Option<DirectoryInfo>("--out-dir") { Description = "Directory for students.csv, resources.csv and interactions.csv", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same files", DefaultValueFactory = _ => 0 };
        var command = new Command("engagement", "Write synthetic students, resources and interaction events (casual and power users, beginner-heavy catalog)")
        {
            students, resources, events, outDir, seed,
        };
        command.SetAction(parseResult => Run(
            new EngagementSpec(parseResult.GetValue(students), parseResult.GetValue(resources), parseResult.GetValue(events), parseResult.GetValue(seed)),
            parseResult.GetValue(outDir)!, Console.Out, Console.Error));
        return command;
    }

    public static int Run(EngagementSpec spec, DirectoryInfo outDir, TextWriter output, TextWriter error)
    {
        if (spec.Students < 1 || spec.Resources < 1 || spec.Events < 0)
        {
            error.WriteLine("generate engagement: --students and --resources must be at least 1 and --events not negative.");
            return BadInput;
        }

        if (spec.Events > int.MaxValue)
        {
            error.WriteLine($"generate engagement: at most {int.MaxValue:N0} events.");
            return BadInput;
        }

        try
        {
            outDir.Create();
            var clock = Stopwatch.StartNew();
            using (var students = Open(outDir, "students.csv"))
            using (var resources = Open(outDir, "resources.csv"))
            using (var interactions = Open(outDir, "interactions.csv"))
            {
                EngagementGenerator.Write(spec, students, resources, interactions);
            }

            output.WriteLine($"Wrote {spec.Students:N0} students, {spec.Resources:N0} resources and {spec.Events:N0} events (seed {spec.Seed}) to {outDir.FullName} in {clock.Elapsed.TotalSeconds:F1} s.");
            return Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"generate engagement: could not write to {outDir.FullName}: {e.Message}");
            return BadInput;
        }
    }

    private static StreamWriter Open(DirectoryInfo directory, string name) =>
        new(Path.Combine(directory.FullName, name), append: false, new UTF8Encoding(false), 1 << 16);
}
