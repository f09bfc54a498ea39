using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
//   dotnet run -c Release --project bench/recommend-portal -- DIR [--queries 300] [--events N] [--work WORKDIR] [--memory]
// DIR comes from `studyrecs generate engagement`. The portal process's settings apply (threads: all cores). With
// --work the database is kept in WORKDIR and reused by the next run (loading 3M events takes minutes).
if (args.Length < 1 || !File.Exists(Path.Combine(args[0], "interactions.csv")))
{
    Console.Error.WriteLine("usage: bench-recommend-portal DIR [--queries 300] [--events N] [--work WORKDIR]");
    return 2;
}

var queries = Option("--queries", 300);
var maxEvents = Option("--events", int.MaxValue);
var work = args.SkipWhile(a => a != "--work").Skip(1).FirstOrDefault();
var dir = work ?? Directory.CreateTempSubdirectory("studyrecs-bench-recportal-").FullName;
Directory.CreateDirectory(dir);
var reuse = work is not null && File.Exists(Path.Combine(dir, "bench.db"));
try
{
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:StudyRecs"] = $"Data Source={Path.Combine(dir, "bench.db")}",
        ["Storage:DataDirectory"] = dir,
    }).Build();
    var services = new ServiceCollection().AddLogging(b =>
    {
        // --sql: every database command with its duration, to see where a request's time goes.
        if (args.Contains("--sql"))
        {
            b.AddSimpleConsole().AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Information).AddFilter((category, _) => category == "Microsoft.EntityFrameworkCore.Database.Command");
        }

        // --memory: the retraining's steps with the process's memory at each (see MemoryLog).
        if (args.Contains("--memory"))
        {
            b.SetMinimumLevel(LogLevel.Debug).AddProvider(new MemoryLog())
                .AddFilter((category, _) => category == typeof(RecommenderTraining).FullName || category == typeof(ActiveRecommender).FullName);
        }
    });
    services.AddSingleton<IConfiguration>(configuration);
    services.AddStudyRecsDatabase(configuration);
    services.AddStudyRecsDatasets();
    services.AddStudyRecsResources();
    services.AddStudyRecsTraining();
    services.AddStudyRecsPredictions();
    services.AddStudyRecsRecommendations();
    await using var sp = services.BuildServiceProvider();
    var clock = Stopwatch.StartNew();
    if (!reuse)
    {
        await LoadAsync(sp, args[0], maxEvents);
    }

    var students = await WithScopeAsync(sp, db => db.Set<RecommendationEvent>().Select(e => e.StudentId).Distinct().ToListAsync());
    Console.WriteLine($"{(reuse ? "reused" : "stored")} {students.Count:N0} students' events in {clock.Elapsed.TotalSeconds:F1} s");

    // One retraining, as the hourly job runs it (--serve-only: serve the active version of a reused database).
    if (args.Contains("--serve-only"))
    {
        await sp.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None);
        var active = await sp.GetRequiredService<ActiveRecommender>().GetAsync(CancellationToken.None);
        await ServeAsync(sp, [.. students.Order(StringComparer.Ordinal)], active.Serving, queries);
        return 0;
    }

    // As in the portal, the version in service (if any) stays loaded while the next one trains.
    var recommender = sp.GetRequiredService<ActiveRecommender>();
    await recommender.RefreshAsync(CancellationToken.None);
    Console.WriteLine($"in service during the retraining: {(await recommender.GetAsync(CancellationToken.None)).Version ?? "the untrained fallback chain"}");
    GC.Collect();
    var before = Environment.WorkingSet >> 20;
    clock.Restart();
    var cpu = Environment.CpuUsage.TotalTime;
    RecommendationTrainingOutcome outcome;
    await using (var scope = sp.CreateAsyncScope())
    {
        outcome = await scope.ServiceProvider.GetRequiredService<RecommenderTraining>().TrainAsync("bench", force: true, CancellationToken.None);
    }

    Console.WriteLine($"retraining: {clock.Elapsed.TotalSeconds:F1} s wall, {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:F1} s CPU on {Environment.ProcessorCount} cores; " +
        $"peak working set {BenchMeasure.PeakMegabytes():N0} MB (resident before: {before:N0} MB)");
    Console.WriteLine(outcome.Message);
    if (outcome.Model is null)
    {
        return 1;
    }

    var report = RecommendationReport.Read(outcome.Model.MetricsJson)!;
    foreach (var s in report.Strategies)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {s.Strategy,-10} NDCG@10 {s.NdcgAtK:0.0000}  P@10 {s.PrecisionAtK:0.0000}  coverage {s.Coverage:0.000}  train {s.TrainSeconds:0.0} s {s.Unavailable}"));
    }

    // Serving through the service, database reads included, one request at a time: the dashboard's block with the
    // serving strategy (students with too short a history get the fallback chain, as in the portal).
    await sp.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None);
    var ids = students.Order(StringComparer.Ordinal).ToArray();

    await ServeAsync(sp, ids, outcome.Model.Algorithm, queries);
    Console.WriteLine($"peak working set of the process: {BenchMeasure.PeakMegabytes():N0} MB");
    return 0;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    if (work is null)
    {
        Directory.Delete(dir, recursive: true);
    }
}

// The catalog as a teacher imports it (one file, every row validated, one transaction); the events in chunks
// through EF with the event writer's entity.
static async Task LoadAsync(IServiceProvider sp, string data, int maxEvents)
{
    await using (var scope = sp.CreateAsyncScope())
    {
        await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
    }

    var clock = Stopwatch.StartNew();
    var csv = new StringWriter(CultureInfo.InvariantCulture);
    csv.WriteLine("title,description,subject,topic,difficulty,type,url,minutes,tags");
    var itemIds = new List<string>();
    foreach (var row in GeneratedCsv.Read(Path.Combine(data, "resources.csv")))
    {
        itemIds.Add(row["item_id"]);
        csv.WriteLine(string.Join(',', new[]
        {
            $"{row["title"]} ({row["item_id"]})", row["description"], row["subject"], row["topic"], row["difficulty"], row["type"],
            $"https://bench.example.edu/{row["item_id"]}", row["minutes"], row["tags"].Replace(';', ','),
        }.Select(v => "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")));
    }

    await using (var scope = sp.CreateAsyncScope())
    {
        var import = await scope.ServiceProvider.GetRequiredService<ResourceImportService>()
            .ImportAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv.ToString())), "resources.csv", null, "bench", CancellationToken.None);
        if (import.Report.ErrorCount > 0)
        {
            throw new InvalidDataException($"the catalog import was refused with {import.Report.ErrorCount} errors: "
                + string.Join("; ", import.Report.Problems.Take(5).Select(p => $"row {p.Row} {p.Column}: {p.Message}")));
        }
    }

    var resourceIds = await WithScopeAsync(sp, db => db.Set<LearningResource>().ToDictionaryAsync(r => r.Url, r => r.Id));
    var byItem = itemIds.ToDictionary(i => i, i => resourceIds[$"https://bench.example.edu/{i}"], StringComparer.Ordinal);
    Console.WriteLine($"imported {byItem.Count:N0} resources in {clock.Elapsed.TotalSeconds:F1} s");

    clock.Restart();
    var stored = 0;
    var chunk = new List<RecommendationEvent>(50_000);
    foreach (var line in File.ReadLines(Path.Combine(data, "interactions.csv")).Skip(1).Take(maxEvents))
    {
        var f = line.Split(',');
        chunk.Add(new RecommendationEvent
        {
            StudentId = f[0],
            UserName = f[0],
            ResourceId = byItem[f[1]],
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
    Console.WriteLine($"stored {stored:N0} events in {clock.Elapsed.TotalSeconds:F1} s");
}

static async Task ServeAsync(IServiceProvider sp, string[] ids, string serving, int queries)
{
    // The same students with the serving strategy and with popularity (a model that costs nothing): the difference is
    // the model's share, popularity's time the service's own (database reads, exclusions, reasons). Two rounds: the
    // first also warms the process (the JIT promotes hot code to optimised code only after a delay that restarts while
    // new code is still being compiled), so the strategy served first would otherwise pay for both.
    string[] strategies = [.. new[] { serving, "popularity" }.Distinct()];
    for (var round = 1; round <= 2; round++)
    {
        foreach (var strategy in strategies)
        {
            await ServeOnceAsync(sp, ids, strategy, queries, round);
        }
    }
}

static async Task ServeOnceAsync(IServiceProvider sp, string[] ids, string strategy, int queries, int round)
{
    var random = new Random(1);
    var times = new double[queries];
    for (var q = -20; q < queries; q++)
    {
        var student = ids[random.Next(ids.Length)];
        await using var scope = sp.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<RecommendationService>();
        var overview = new StudentOverview(student, null, "B", true, false, [], [], [], ServingModels.None);
        var start = Stopwatch.GetTimestamp();
        await service.RecommendAsync(new RecommendationQuery(student, 10, Strategy: strategy, Overview: overview), CancellationToken.None);
        if (q >= 0)
        {
            times[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    }

    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round}: RecommendAsync {strategy}, 10 items, {queries} random students: p50 {BenchMeasure.Percentile(times, 0.5):F2} ms, p99 {BenchMeasure.Percentile(times, 0.99):F2} ms, max {times[^1]:F2} ms"));
}

static async Task<T> WithScopeAsync<T>(IServiceProvider sp, Func<StudyRecsDbContext, Task<T>> action)
{
    await using var scope = sp.CreateAsyncScope();
    return await action(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>());
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

