using System.Diagnostics;
using System.Globalization;
using StudyRecs.Learning.Recommend;

// Recommender benchmark on a generated engagement set (see README.md):
//   dotnet run -c Release --project bench/recommend -- DIR [--threads 2] [--queries 2000] [--skip-ease]
// Prints ALS training time, top-10 latency per strategy, peak memory and exact-scoring time against catalog size.
if (args.Length < 1 || !File.Exists(Path.Combine(args[0], "interactions.csv")))
{
    Console.Error.WriteLine("usage: bench-recommend DIR [--threads 2] [--queries 2000] [--skip-ease] (DIR from 'studyrecs generate engagement')");
    return 2;
}

var threads = Option("--threads", 2);
var queries = Option("--queries", 2000);
var skipEase = args.Contains("--skip-ease");
var clock = Stopwatch.StartNew();
var log = Load(Path.Combine(args[0], "interactions.csv"));
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
        times[q] = Fastest(() => model.Recommend(data.UserItems(u), data.UserWeights(u), data.UserItems(u), scores, top));
    }

    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"top-10 latency {model.Name,-10}: p50 {Percentile(times, 0.50):F3} ms, p99 {Percentile(times, 0.99):F3} ms, max {times[^1]:F3} ms"));
}

Console.WriteLine($"peak working set: {PeakMegabytes():N0} MB");

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
        times[q] = Fastest(() =>
        {
            for (var j = 0; j < n; j++)
            {
                scores[j] = System.Numerics.Tensors.TensorPrimitives.Dot(factors.AsSpan(j * 64, 64), user);
            }

            TopK.Select(scores, top);
        });
    }

    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exact top-10 over {n,9:N0} items: median {Percentile(times, 0.5):F2} ms, p99 {Percentile(times, 0.99):F2} ms"));
}

return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static double Fastest(Action query)
{
    var best = double.MaxValue;
    for (var r = 0; r < 5; r++)
    {
        var start = Stopwatch.GetTimestamp();
        query();
        best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    return best;
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static long PeakMegabytes()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }

    return Environment.WorkingSet / (1024 * 1024);
}

// The generated interactions file has no quoted fields: user_id,item_id,timestamp,weight,event.
static InteractionLog Load(string path)
{
    var users = new IdIndex();
    var items = new IdIndex();
    var events = new List<Interaction>(3_000_000);
    foreach (var line in File.ReadLines(path).Skip(1))
    {
        var f = line.Split(',');
        if (!InteractionKinds.TryParse(f[4], out var kind))
        {
            throw new InvalidDataException($"unknown event '{f[4]}'");
        }

        events.Add(new Interaction(users.GetOrAdd(f[0]), items.GetOrAdd(f[1]), long.Parse(f[2], CultureInfo.InvariantCulture),
            float.Parse(f[3], CultureInfo.InvariantCulture), kind));
    }

    return new InteractionLog(users, items, [.. events]);
}
