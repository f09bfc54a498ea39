using System.Diagnostics;
using System.Globalization;
using StudyRecs.Learning.Recommend;

// Recommender benchmark on a generated engagement set (see README.md):
//   dotnet run -c Release --project bench/recommend -- DIR [--threads 2] [--queries 2000] [--skip-ease] [--skip-ranker]
// Prints ALS training time, the learned ranker's training time (with the students' weak subjects from students.csv),
// top-10 latency per strategy, peak memory and exact-scoring time against catalog size.
if (args.Length < 1 || !File.Exists(Path.Combine(args[0], "interactions.csv")))
{
    Console.Error.WriteLine("usage: bench-recommend DIR [--threads 2] [--queries 2000] [--skip-ease] (DIR from 'studyrecs generate engagement')");
    return 2;
}

var threads = Option("--threads", 2);
var queries = Option("--queries", 2000);
var skipEase = args.Contains("--skip-ease");
var clock = Stopwatch.StartNew();
var log = GeneratedCsv.Interactions(Path.Combine(args[0], "interactions.csv"));
var data = InteractionMatrix.Build(log);
Console.WriteLine($"loaded {log.Interactions.Length:N0} events, {data.UserCount:N0} students, {data.ItemCount:N0} items, {data.NonZeroCount:N0} pairs in {clock.Elapsed.TotalSeconds:F1} s");

// CPU seconds of this process beside wall time: on a shared machine, CPU / threads bounds the unloaded wall time.
var fitted = new List<IRecommender>();
clock.Restart();
var cpu = Environment.CpuUsage.TotalTime;
var als = AlsRecommender.Fit(data, new AlsOptions { Factors = 64, Iterations = 15, MaxDegreeOfParallelism = threads });
Console.WriteLine($"als fit (64 factors, 15 iterations, {threads} threads): {clock.Elapsed.TotalSeconds:F1} s wall, {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:F1} s CPU");
fitted.Add(als);
clock.Restart();
fitted.Add(PopularityRecommender.Fit(data));
fitted.Add(ItemKnnRecommender.Fit(data, new ItemKnnOptions { MaxDegreeOfParallelism = threads }));
Console.WriteLine($"popularity + itemknn fit: {clock.Elapsed.TotalSeconds:F1} s");
if (!skipEase)
{
    clock.Restart();
    cpu = Environment.CpuUsage.TotalTime;
    var ease = EaseRecommender.Fit(data, new EaseOptions { MaxDegreeOfParallelism = threads });
    Console.WriteLine($"ease fit ({data.ItemCount:N0} items, {threads} threads): {clock.Elapsed.TotalSeconds:F1} s wall, {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:F1} s CPU");
    fitted.Add(ease);
    fitted.Add(new HybridRecommender([new(ease, 0.45f), new(als, 0.35f), new(fitted[2], 0.1f), new(fitted[1], 0.05f)]));
}

// The learned ranker as the portal serves it: base models refitted on all events, LambdaMART trained on an inner
// temporal split, student features from the resources' facets, the events' times and the weak subjects.
StudentContext?[] contexts = new StudentContext?[log.Users.Count];
if (!skipEase && !args.Contains("--skip-ranker"))
{
    var texts = GeneratedCsv.Items(Path.Combine(args[0], "resources.csv"), log.Items);
    foreach (var row in GeneratedCsv.Read(Path.Combine(args[0], "students.csv")))
    {
        if (log.Users.TryGetIndex(row["user_id"], out var u))
        {
            contexts[u] = new StudentContext { WeakSubjects = row["weak_subjects"].Split(';', StringSplitOptions.RemoveEmptyEntries) };
        }
    }

    clock.Restart();
    cpu = Environment.CpuUsage.TotalTime;
    var suite = new RecommenderSuite(data, texts, new RecommenderSuiteOptions
    {
        Als = new AlsOptions { MaxDegreeOfParallelism = threads },
        Ease = new EaseOptions { MaxDegreeOfParallelism = threads },
        ItemKnn = new ItemKnnOptions { MaxDegreeOfParallelism = threads },
        Ranker = new RankerOptions { Boosting = new RankerOptions().Boosting with { NumberOfThreads = threads } },
    })
    {
        TrainingEvents = log,
        Contexts = u => contexts[u],
    };
    fitted.Add(suite.Fit("ranker").Model);
    Console.WriteLine($"ranker fit (inner split + base models twice + LambdaMART, {threads} threads): {clock.Elapsed.TotalSeconds:F1} s wall, {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:F1} s CPU");
}

// Top-10 latency, one query at a time on one thread, for students drawn uniformly (casual and power users alike).
// The machine is shared: each query runs 5 times and keeps its fastest run, so a preemption by another process
// does not count as the query's cost; percentiles are over students.
var random = new Random(1);
var users = Enumerable.Range(0, queries).Select(_ => random.Next(data.UserCount)).ToArray();
foreach (var model in fitted)
{
    var scores = new float[model.ItemCount];
    var top = new int[10];
    var times = new double[users.Length];
    for (var q = 0; q < users.Length; q++)
    {
        var u = users[q];
        times[q] = model is IContextualRecommender contextual
            ? BenchMeasure.Fastest(() =>
            {
                contextual.Score(data.UserItems(u), data.UserWeights(u), data.UserTimestamps(u), contexts[u] ?? StudentContext.None, scores);
                foreach (var i in data.UserItems(u))
                {
                    scores[i] = float.NegativeInfinity;
                }

                TopK.Select(scores, top);
            })
            : BenchMeasure.Fastest(() => model.Recommend(data.UserItems(u), data.UserWeights(u), data.UserItems(u), scores, top));
    }

    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"top-10 latency {model.Name,-10}: p50 {BenchMeasure.Percentile(times, 0.50):F3} ms, p99 {BenchMeasure.Percentile(times, 0.99):F3} ms, max {times[^1]:F3} ms"));
}

// Where the ranker's time goes: each base model's scoring alone, for the same students.
if (fitted.OfType<RankerRecommender>().FirstOrDefault() is { } rankerModel)
{
    foreach (var model in rankerModel.BaseModels)
    {
        var scores = new float[model.ItemCount];
        var times = new double[users.Length];
        for (var q = 0; q < users.Length; q++)
        {
            var u = users[q];
            times[q] = BenchMeasure.Fastest(() => model.Score(data.UserItems(u), data.UserWeights(u), scores));
        }

        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ranker base {model.Name,-10} scoring: p50 {BenchMeasure.Percentile(times, 0.50):F3} ms, p99 {BenchMeasure.Percentile(times, 0.99):F3} ms"));
    }
}

Console.WriteLine($"peak working set: {BenchMeasure.PeakMegabytes():N0} MB");

// Exact scoring (64-dimensional dot products + heap top-10) against catalog size.
foreach (var n in new[] { 10_000, 30_000, 100_000, 300_000, 1_000_000 })
{
    var factors = new float[n * 64];
    for (var i = 0; i < factors.Length; i++)
    {
        factors[i] = (float)(random.NextDouble() - 0.5);
    }

    var user = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    var scores = new float[n];
    var top = new int[10];
    var times = new double[30];
    for (var q = 0; q < times.Length; q++)
    {
        times[q] = BenchMeasure.Fastest(() =>
        {
            for (var j = 0; j < n; j++)
            {
                scores[j] = System.Numerics.Tensors.TensorPrimitives.Dot(factors.AsSpan(j * 64, 64), user);
            }

            TopK.Select(scores, top);
        });
    }

    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exact top-10 over {n,9:N0} items: median {BenchMeasure.Percentile(times, 0.5):F2} ms, p99 {BenchMeasure.Percentile(times, 0.99):F2} ms"));
}

return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
