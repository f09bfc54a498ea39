using System.CommandLine;
using System.Text;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Datasets.Generation;

namespace StudyRecs.Cli.Datasets;

/// <summary><c>studyrecs generate performance</c>: a synthetic gradebook to upload, test or benchmark with.</summary>
internal static class GeneratePerformanceCommand
{
    public static Command Create()
    {
        var students = new Option<int>("--students") { Description = "Number of students (120 gives 1,200 rows with the defaults)", Required = true };
        var subjects = new Option<int>("--subjects") { Description = "Subjects per semester", DefaultValueFactory = _ => 5 };
        var semesters = new Option<int>("--semesters") { Description = "Semesters per student", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same file", DefaultValueFactory = _ => 42 };
        var firstStudent = new Option<int>("--first-student")
        {
            Description = "Number of the first student id (S00001 by default); give a second class a later start, e.g. 1001 for S01001, so the two do not collide",
            DefaultValueFactory = _ => 1,
        };
        var output = new Option<FileInfo>("--out") { Description = "Output file, .csv or .xlsx", Required = true };

        var command = new Command("performance", "Write a synthetic student-performance gradebook (canonical columns) as CSV or .xlsx")
        {
            students, subjects, semesters, seed, firstStudent, output,
        };
        command.SetAction((parseResult, ct) => Task.FromResult(Run(
            new PerformanceDataSpec(parseResult.GetValue(students), parseResult.GetValue(subjects), parseResult.GetValue(semesters), parseResult.GetValue(seed), parseResult.GetValue(firstStudent)),
            parseResult.GetValue(output)!)));
        return command;
    }

    internal static int Run(PerformanceDataSpec spec, FileInfo output)
    {
        if (spec.Students < 1 || spec.Subjects < 1 || spec.Semesters < 1)
        {
            Console.Error.WriteLine("--students, --subjects and --semesters must be at least 1.");
            return ExitCodes.Failed;
        }

        if (spec.FirstStudent < 1 || spec.LastStudent > int.MaxValue)
        {
            Console.Error.WriteLine($"--first-student must be between 1 and {int.MaxValue - spec.Students + 1:N0} for {spec.Students:N0} students.");
            return ExitCodes.Failed;
        }

        var extension = output.Extension.ToLowerInvariant();
        if (extension is not (".csv" or ".xlsx"))
        {
            Console.Error.WriteLine($"--out must end in .csv or .xlsx, not '{output.Name}'.");
            return ExitCodes.Failed;
        }

        if (extension == ".xlsx" && spec.RowCount > 1_048_575)
        {
            Console.Error.WriteLine($"{spec.RowCount:N0} rows do not fit in one worksheet (1,048,575 data rows at most); write a .csv instead.");
            return ExitCodes.Failed;
        }

        try
        {
            output.Directory?.Create();
            using var file = new FileStream(output.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            if (extension == ".csv")
            {
                using var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16);
                PerformanceDataGenerator.WriteCsv(spec, writer);
            }
            else
            {
                PerformanceDataGenerator.WriteXlsx(spec, file);
            }
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"Could not write {output.FullName}: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (UnauthorizedAccessException ex)
        {
            Console.Error.WriteLine($"Could not write {output.FullName}: {ex.Message}");
            return ExitCodes.Failed;
        }

        Console.WriteLine($"Wrote {spec.RowCount:N0} rows ({spec.Students:N0} students x {spec.Subjects} subjects x {spec.Semesters} semesters, seed {spec.Seed}, student ids {spec.StudentId(0)} to {spec.StudentId(spec.Students - 1)}) to {output.FullName}.");
        return ExitCodes.Ok;
    }
}
