using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Monitoring;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Training;

/// <summary>
/// A portal database as the monitoring job finds it: a model version trained (and activated) on last year's cohort,
/// then a new cohort of <c>rows</c> gradebook rows whose forecasts were shown (one snapshot per row, from the real
/// serving models) and whose results were uploaded two days ago. The new cohort's recorded attendance is 6 points lower
/// (a stricter register) and its final exam was marked 8 marks harder, so drift and realised accuracy have something to find.
/// Everything is generated from fixed seeds.
/// </summary>
internal sealed class BenchSite : IAsyncDisposable
{
    public const double AttendanceShift = -6;
    public const double MarkingShift = -8;
    private const int TrainingStudents = 2_000;
    private const int ChunkRows = 20_000;

    private readonly string _dir;
    private readonly string? _postgresServer;
    private readonly string? _postgresDatabase;

    private BenchSite(string dir, string? postgresServer, string? postgresDatabase, ServiceProvider services)
    {
        _dir = dir;
        _postgresServer = postgresServer;
        _postgresDatabase = postgresDatabase;
        Services = services;
    }

    public ServiceProvider Services { get; }

    public string Database => _postgresDatabase is null ? "SQLite" : "PostgreSQL";

    /// <param name="postgresServer">A PostgreSQL server connection string: the site is built in database <paramref name="postgresDatabase"/> there (dropped first and afterwards); null for SQLite.</param>
    public static async Task<BenchSite> CreateAsync(int rows, string? postgresServer, string postgresDatabase, TextWriter log, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("studyrecs-bench-monitoring-").FullName;
        var database = postgresServer is null ? null : postgresDatabase;
        if (postgresServer is not null)
        {
            await DropAsync(postgresServer, postgresDatabase);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = postgresServer is null ? "Sqlite" : "Postgres",
            ["ConnectionStrings:StudyRecs"] = postgresServer is null
                ? $"Data Source={Path.Combine(dir, "bench.db")}"
                : new NpgsqlConnectionStringBuilder(postgresServer) { Database = postgresDatabase }.ConnectionString,
            ["Storage:DataDirectory"] = dir,
            ["Datasets:MaxUploadBytes"] = (1024L * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
            ["Training:Libraries:0"] = "studyrecs",
            ["Training:CvFolds"] = "3",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddStudyRecsDatabase(configuration);
        services.AddStudyRecsDatasets();
        services.AddStudyRecsTraining();
        services.AddStudyRecsPredictions();
        services.AddStudyRecsMonitoring();
        var site = new BenchSite(dir, postgresServer, database, services.BuildServiceProvider());
        try
        {
            await site.BuildAsync(rows, log, cancellationToken);
            return site;
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync(int rows, TextWriter log, CancellationToken cancellationToken)
    {
        await using (var scope = Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync(cancellationToken);
        }

        var now = TimeProvider.System.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();

        // Last year's cohort: the training rows, uploaded long before either lookback window.
        var trainingSpec = new PerformanceDataSpec(TrainingStudents, Seed: 2026);
        var training = await ImportAsync(PerformanceDataGenerator.Rows(trainingSpec), "last-year.csv", cancellationToken);
        await MoveUploadAsync(training.Id, now.AddDays(-365), cancellationToken);
        await using (var scope = Services.CreateAsyncScope())
        {
            var pipeline = scope.ServiceProvider.GetRequiredService<TrainingPipeline>();
            var run = await pipeline.CreateRunAsync(new TrainingRequest(null, "bench"), cancellationToken);
            var outcome = await pipeline.RunAsync(run.Id, cancellationToken);
            if (outcome.Run.Status != TrainingRunStatus.Succeeded)
            {
                throw new InvalidOperationException($"The training run ended {outcome.Run.Status}: {outcome.Run.Error}");
            }
        }

        var models = await Services.GetRequiredService<ActiveModels>().GetAsync(cancellationToken);
        if (!models.IsComplete)
        {
            throw new InvalidOperationException("The training activated no regression and grade model pair.");
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  trained on {trainingSpec.RowCount:N0} rows: regression {models.Regression!.Version}, grades {models.Classification!.Version} ({stopwatch.Elapsed.TotalSeconds:F1} s)"));

        // This year's cohort: the results upload of two days ago.
        stopwatch.Restart();
        var cohort = new PerformanceDataSpec(Math.Max(1, rows / 10), Seed: 2027, FirstStudent: 100_001);
        var results = await ImportAsync(Shifted(cohort), "this-year.csv", cancellationToken);
        await MoveUploadAsync(results.Id, now.AddDays(-2), cancellationToken);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  results upload: {results.ValidRows:N0} rows stored through the import service ({stopwatch.Elapsed.TotalSeconds:F1} s)"));

        // The forecasts shown to the cohort during the term, 5 to 20 days ago, one per row, from the serving models.
        stopwatch.Restart();
        var forecaster = Services.GetRequiredService<Forecaster>();
        long stored = 0;
        foreach (var chunk in Shifted(cohort).Chunk(ChunkRows))
        {
            var snapshots = new ForecastSnapshot[chunk.Length];
            Parallel.For(0, chunk.Length, i =>
            {
                var row = chunk[i];
                var input = new ForecastInput((int)(double)row[(int)GradebookColumn.Semester]!, (string)row[(int)GradebookColumn.Subject]!,
                    Number(row, GradebookColumn.AssignmentMarks), Number(row, GradebookColumn.QuizMarks), Number(row, GradebookColumn.AttendancePercentage),
                    Number(row, GradebookColumn.MidtermMarks), Number(row, GradebookColumn.PreviousCgpa));
                var at = now.AddDays(-20).AddSeconds((stored + i) * 1_296_000.0 / cohort.RowCount).UtcDateTime;
                snapshots[i] = ForecastSnapshotRecorder.Snapshot((string)row[(int)GradebookColumn.StudentId]!, input, forecaster.Predict(models, input, explain: false),
                    (stored + i) % 3 == 0 ? ForecastSnapshotRecorder.Api : ForecastSnapshotRecorder.Portal, at);
            });
            await using var scope = Services.CreateAsyncScope();
            await SnapshotBulkInsert.InsertAsync(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>(), snapshots, cancellationToken);
            stored += snapshots.Length;
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  forecast snapshots: {stored:N0} forecast by the serving models and stored ({stopwatch.Elapsed.TotalSeconds:F1} s)"));
        if (_postgresDatabase is null)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  database file: {new FileInfo(Path.Combine(_dir, "bench.db")).Length / (1024.0 * 1024):N0} MB"));
        }
    }

    /// <summary>The cohort's rows with the stricter attendance register and the harder marking (grade banded again from the marks).</summary>
    private static IEnumerable<object?[]> Shifted(PerformanceDataSpec spec)
    {
        foreach (var row in PerformanceDataGenerator.Rows(spec))
        {
            if (row[(int)GradebookColumn.AttendancePercentage] is double attendance)
            {
                row[(int)GradebookColumn.AttendancePercentage] = Math.Max(0, attendance + AttendanceShift);
            }

            if (row[(int)GradebookColumn.FinalMarks] is double marks)
            {
                var harder = Math.Max(0, marks + MarkingShift);
                row[(int)GradebookColumn.FinalMarks] = harder;
                row[(int)GradebookColumn.FinalGrade] = GradeScale.Default.GradeFor(harder);
            }

            yield return row;
        }
    }

    private static double? Number(object?[] row, GradebookColumn column) => row[(int)column] as double?;

    /// <summary>Imports the rows as one CSV upload through the portal's import service.</summary>
    private async Task<UploadedDataset> ImportAsync(IEnumerable<object?[]> rows, string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_dir, name);
        await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
        {
            await writer.WriteAsync(string.Join(',', GradebookColumns.CanonicalNames) + "\n");
            var line = new StringBuilder();
            foreach (var row in rows)
            {
                line.Clear();
                for (var i = 0; i < row.Length; i++)
                {
                    line.Append(i == 0 ? "" : ",").Append(row[i] switch
                    {
                        null => "",
                        double d => d.ToString("R", CultureInfo.InvariantCulture),
                        var v => Convert.ToString(v, CultureInfo.InvariantCulture),
                    });
                }

                await writer.WriteAsync(line.Append('\n'), cancellationToken);
            }
        }

        await using var scope = Services.CreateAsyncScope();
        await using var stream = File.OpenRead(path);
        var result = await scope.ServiceProvider.GetRequiredService<DatasetImportService>().ImportAsync(new DatasetUpload(stream, name), cancellationToken);
        File.Delete(path);
        return result.IsAccepted ? result.Dataset : throw new InvalidOperationException($"{name} was not accepted: {result.Report.Summary}");
    }

    private async Task MoveUploadAsync(long datasetId, DateTimeOffset uploadedAt, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<UploadedDataset>().Where(d => d.Id == datasetId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.UploadedAt, uploadedAt), cancellationToken);
    }

    private static async Task DropAsync(string server, string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var drop = connection.CreateCommand();
        drop.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
        await drop.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_postgresServer is not null && _postgresDatabase is not null)
        {
            await DropAsync(_postgresServer, _postgresDatabase);
        }

        Directory.Delete(_dir, recursive: true);
    }
}
