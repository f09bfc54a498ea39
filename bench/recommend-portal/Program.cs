using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Training;
using StudyRecs.Learning.Recommend;

// The portal's recommender at the original design's scale: the generated catalog and events are stored in a SQLite
// database through the portal's own entities, then the retraining job's code (RecommenderTraining.TrainAsync: every
// strategy on the temporal split, the serving strategy refitted on all events, registration) runs once, and
// recommendations are served through RecommendationService (database reads included) for random students.
//   dotnet run -c Release --project bench/recommend-portal -- DIR [--queries 300] [--events N]
// DIR comes from `studyrecs generate engagement`. The portal process's settings apply (threads: all cores).
if (args.Length < 1 || !File.Exists(Path.Combine(args[0], "interactions.csv")))
{
    Console.Error.WriteLine("usage: bench-recommend-portal DIR [--queries 300] [--events N]");
    return 2;
}

var queries = Option("--queries", 300);
var maxEvents = Option("--events", int.MaxValue);
var dir = Directory.CreateTempSubdirectory("studyrecs-bench-recportal-").FullName;
try
{
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:StudyRecs"] = $"Data Source={Path.Combine(dir, "bench.db")}",
        ["Storage:DataDirectory"] = dir,
    }).Build();
    var services = new ServiceCollection().AddLogging();
    services.AddSingleton<IConfiguration>(configuration);
    services.AddStudyRecsDatabase(configuration);
    services.AddStudyRecsDatasets();
    services.AddStudyRecsResources();
    services.AddStudyRecsTraining();
    services.AddStudyRecsPredictions();
    services.AddStudyRecsRecommendations();
    await using var sp = services.BuildServiceProvider();
    var clock = Stopwatch.StartNew();
    await using (var scope = sp.CreateAsyncScope())
    {
        await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
    }

    // The catalog, through the catalog service (validation and all); titles get the item id so none is a duplicate.
    var resourceIds = new Dictionary<string, long>(StringComparer.Ordinal);
    await using (var scope = sp.CreateAsyncScope())
    {
        var catalog = scope.ServiceProvider.GetRequiredService<ResourceCatalog>();
        foreach (var row in GeneratedCsv.Read(Path.Combine(args[0], "resources.csv")))
        {
            var result = await catalog.CreateAsync(new ResourceInput
            {
                Title = $"{row["title"]} ({row["item_id"]})",
                Description = row["description"],
                Subject = row["subject"],
                Topic = row["topic"],
                Difficulty = row["difficulty"],
                Type = row["type"],
                Url = $"https://bench.example.edu/{row["item_id"]}",
                Minutes = row["minutes"],
                Tags = row["tags"].Replace(';', ','),
            }, "bench", CancellationToken.None);
            resourceIds[row["item_id"]] = result.Resource?.Id ?? throw new InvalidDataException($"{row["item_id"]}: {string.Join(" ", result.Errors.Select(e => e.Message))}");
        }
    }

    Console.WriteLine($"stored {resourceIds.Count:N0} resources in {clock.Elapsed.TotalSeconds:F1} s");

    // The events, in chunks through EF (the event writer's entity; no change tracking kept between chunks).
    clock.Restart();
    var students = new HashSet<string>(StringComparer.Ordinal);
    var stored = 0;
    var chunk = new List<RecommendationEvent>(50_000);
    foreach (var line in File.ReadLines(Path.Combine(args[0], "interactions.csv")).Skip(1).Take(maxEvents))
    {
        var f = line.Split(',');
        students.Add(f[0]);
        chunk.Add(new RecommendationEvent
        {
            StudentId = f[0],
            UserName = f[0],
            ResourceId = resourceIds[f[1]],
            Type = Type(f[4]),
            Strategy = "popularity",
            RequestId = $"g{stored + chunk.Count}",
            AtUtc = DateTimeOffset.FromUnixTimeSeconds(long.Parse(f[2], CultureInfo.InvariantCulture)).UtcDateTime,
        });
        if (chunk.Count == chunk.Capacity)
        {
            stored += await StoreAsync(sp, chunk);
        }
    }

    stored += await StoreAsync(sp, chunk);
    Console.WriteLine($"stored {stored:N0} events of {students.Count:N0} students in {clock.Elapsed.TotalSeconds:F1} s");

    // One retraining, as the hourly job runs it.
    GC.Collect();
    var before = BenchMeasure.PeakMegabytes();
    clock.Restart();
    var cpu = Environment.CpuUsage.TotalTime;
    RecommendationTrainingOutcome outcome;
    await using (var scope = sp.CreateAsyncScope())
    {
        outcome = await scope.ServiceProvider.GetRequiredService<RecommenderTraining>().TrainAsync("bench", force: true, CancellationToken.None);
    }

    Console.WriteLine($"retraining: {clock.Elapsed.TotalSeconds:F1} s wall, {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:F1} s CPU on {Environment.ProcessorCount} cores; " +
        $"peak working set {BenchMeasure.PeakMegabytes():N0} MB (before: {before:N0} MB)");
    Console.WriteLine(outcome.Message);
    var report = RecommendationReport.Read(outcome.Model!.MetricsJson)!;
    foreach (var s in report.Strategies)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {s.Strategy,-10} NDCG@10 {s.NdcgAtK:0.0000}  P@10 {s.PrecisionAtK:0.0000}  coverage {s.Coverage:0.000}  train {s.TrainSeconds:0.0} s {s.Unavailable}"));
    }

    // Serving through the service, database reads included, one request at a time: the dashboard's block with the
    // serving strategy (students with too short a history get the fallback chain, as in the portal).
    await sp.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None);
    var random = new Random(1);
    var ids = students.Order(StringComparer.Ordinal).ToArray();
    var times = new double[queries];
    var strategies = new Dictionary<string, int>(StringComparer.Ordinal);
    for (var q = -20; q < queries; q++)
    {
        var student = ids[random.Next(ids.Length)];
        await using var scope = sp.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<RecommendationService>();
        var overview = new StudentOverview(student, null, "B", true, false, [], [], [], ServingModels.None);
        var start = Stopwatch.GetTimestamp();
        var list = await service.RecommendAsync(new RecommendationQuery(student, 10, Strategy: outcome.Model.Algorithm, Overview: overview), CancellationToken.None);
        if (q >= 0)
        {
            times[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            strategies[list.Strategy] = strategies.GetValueOrDefault(list.Strategy) + 1;
        }
    }

    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RecommendAsync, 10 items, {queries} random students: p50 {BenchMeasure.Percentile(times, 0.5):F2} ms, p99 {BenchMeasure.Percentile(times, 0.99):F2} ms, max {times[^1]:F2} ms; " +
        $"strategies {string.Join(", ", strategies.Select(p => $"{p.Key} {p.Value}"))}"));
    Console.WriteLine($"peak working set of the process: {BenchMeasure.PeakMegabytes():N0} MB");
    return 0;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(dir, recursive: true);
}

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static RecommendationEventType Type(string name) => name switch
{
    "view" => RecommendationEventType.View,
    "click" => RecommendationEventType.Click,
    "like" => RecommendationEventType.Like,
    "complete" => RecommendationEventType.Complete,
    "dismiss" => RecommendationEventType.Dismiss,
    _ => throw new InvalidDataException($"unknown event '{name}'"),
};

static async Task<int> StoreAsync(IServiceProvider sp, List<RecommendationEvent> chunk)
{
    await using var scope = sp.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
    db.ChangeTracker.AutoDetectChangesEnabled = false;
    db.AddRange(chunk);
    var n = await db.SaveChangesAsync();
    chunk.Clear();
    return n;
}

