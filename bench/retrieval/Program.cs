using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using StudyRecs.Learning.Recommend;

// Usage: dotnet run -c Release --project bench/retrieval -- [ITEMS ...] [--dims 32] [--queries 1000] [--ef 200] [--links 16] [--build 100] [--spread 0.5]
//    or: dotnet run -c Release --project bench/retrieval -- --trained DIR [--ranker] [--threads 2] [--queries 1000] [--ef 200] [--links 16] [--build 100]
//        (trained ALS factors of a generated engagement set, and the learned ranker with and without the index: Trained.cs)
// For each catalog size: unit-length item embeddings in clusters (as a two-tower model's are), an HNSW index built on
// one thread, then top-100 queries on one thread: recall@100 against the exact scan, latency percentiles (each query's
// fastest of 3 runs, so a preemption by another process is not counted), the exact scan's latency as the same-run anchor.
var sizes = new List<int>();
int dims = 32, queries = 1000, ef = 200, links = 16, build = 100, threads = 2;
var spread = 0.5f;
string? trained = null;
var ranker = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--trained": trained = args[++i]; break;
        case "--ranker": ranker = true; break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--dims": dims = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--queries": queries = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--ef": ef = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--links": links = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--build": build = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--spread": spread = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture)); break;
    }
}

if (trained is not null)
{
    return Trained.Run(trained, queries, ef, links, build, ranker, threads);
}

if (sizes.Count == 0)
{
    sizes.AddRange([50_000, 200_000]);
}

const int k = 100;
foreach (var n in sizes)
{
    var items = Embeddings(n, dims, clusters: Math.Max(10, n / 200), spread, seed: 1);
    var users = Embeddings(queries, dims, clusters: Math.Max(10, n / 200), spread, seed: 1, offset: n);
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var clock = Stopwatch.StartNew();
    var index = HnswIndex.Build(items, n, dims, new HnswOptions { Links = links, BuildCandidates = build, SearchCandidates = ef });
    var buildSeconds = clock.Elapsed.TotalSeconds;
    var indexBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
    GC.KeepAlive(index);

    var found = 0L;
    var approximate = new ScoredItem[k];
    var exact = new ScoredItem[k];
    var hnswMs = new double[queries];
    var scanMs = new double[queries];
    for (var q = 0; q < queries; q++)
    {
        var query = users.AsSpan(q * dims, dims);
        hnswMs[q] = BenchMeasure.Fastest(() => index.Search(users.AsSpan(q * dims, dims), approximate), runs: 3);
        scanMs[q] = BenchMeasure.Fastest(() => EmbeddingRetriever.Scan(items, dims, users.AsSpan(q * dims, dims), exact), runs: 3);
        var truth = exact.Select(s => s.Item).ToHashSet();
        found += approximate.Count(s => truth.Contains(s.Item));
    }

    Array.Sort(hnswMs);
    Array.Sort(scanMs);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"items {n:N0} dims {dims} spread {spread} links {links} build-ef {build} search-ef {ef}: build {buildSeconds:F1} s, index {indexBytes / 1048576.0:F0} MB (vectors {n * dims * 4 / 1048576.0:F0} MB); " +
        $"recall@{k} {found / (double)(queries * k):F4}; top-{k} HNSW p50 {BenchMeasure.Percentile(hnswMs, 0.5):F3} ms p99 {BenchMeasure.Percentile(hnswMs, 0.99):F3} ms max {hnswMs[^1]:F3} ms; " +
        $"exact scan p50 {BenchMeasure.Percentile(scanMs, 0.5):F3} ms p99 {BenchMeasure.Percentile(scanMs, 0.99):F3} ms"));
}

return 0;

// Points around random cluster centres (per-coordinate noise `spread` against centres of unit variance), scaled to unit length; `offset` draws later points of the same mixture (queries).
static float[] Embeddings(int count, int dims, int clusters, float spread, int seed, int offset = 0)
{
    var centres = new float[clusters * dims];
    var random = new Random(seed);
    for (var i = 0; i < centres.Length; i++)
    {
        centres[i] = Normal(random);
    }

    var points = new Random(seed + 1 + offset);
    var values = new float[count * dims];
    for (var i = 0; i < count; i++)
    {
        var c = points.Next(clusters);
        var row = values.AsSpan(i * dims, dims);
        for (var d = 0; d < dims; d++)
        {
            row[d] = centres[(c * dims) + d] + (spread * Normal(points));
        }

        TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
    }

    return values;
}

static float Normal(Random random) =>
    (float)(Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
