using System.Diagnostics;
using System.Globalization;
using StudyRecs.Learning.Recommend;

/// <summary>
/// The index on a trained model's embeddings, and inside the learned ranker (<c>--trained DIR</c>, DIR from
/// <c>studyrecs generate engagement</c>): ALS fitted on the per-student temporal split's training part, its item
/// factors indexed; the queries are sampled students' folded-in factors. Then, with <c>--ranker</c>, the learned ranker
/// trained twice on the same split, once scanning the catalog for its candidates and once taking them from the index,
/// compared on NDCG@10 of the test split and on top-10 latency per student.
/// </summary>
internal static class Trained
{
    public static int Run(string dir, int queries, int ef, int links, int build, bool ranker, int threads)
    {
        var clock = Stopwatch.StartNew();
        var log = GeneratedCsv.Interactions(Path.Combine(dir, "interactions.csv"));
        var split = TemporalSplit.Create(log);
        var train = split.TrainMatrix;
        Console.WriteLine($"loaded {log.Interactions.Length:N0} events, {train.UserCount:N0} students, {train.ItemCount:N0} items in {clock.Elapsed.TotalSeconds:F1} s");

        clock.Restart();
        var als = AlsRecommender.Fit(train, new AlsOptions { MaxDegreeOfParallelism = threads });
        Console.WriteLine($"als fit ({als.Factors} factors, {threads} threads): {clock.Elapsed.TotalSeconds:F1} s");

        var k = als.Factors;
        var factors = als.ItemFactorMatrix;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        clock.Restart();
        var index = new EmbeddingRetriever(factors, k, exactScanLimit: 0, new HnswOptions { Links = links, BuildCandidates = build, SearchCandidates = ef });
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var indexBytes = GC.GetTotalMemory(forceFullCollection: true) - before;

        // Students with a history, drawn uniformly; their factors folded in as the ranker folds them in.
        var random = new Random(1);
        var withHistory = Enumerable.Range(0, train.UserCount).Where(u => !train.UserItems(u).IsEmpty).ToArray();
        var sample = Enumerable.Range(0, queries).Select(_ => withHistory[random.Next(withHistory.Length)]).ToArray();
        const int top = 100;
        var approximate = new ScoredItem[top];
        var exact = new ScoredItem[top];
        var user = new float[k];
        var indexMs = new double[sample.Length];
        var scanMs = new double[sample.Length];
        long found = 0;
        for (var q = 0; q < sample.Length; q++)
        {
            als.FoldIn(train.UserItems(sample[q]), train.UserWeights(sample[q]), user);
            indexMs[q] = BenchMeasure.Fastest(() => index.Retrieve(user, approximate), runs: 3);
            scanMs[q] = BenchMeasure.Fastest(() => EmbeddingRetriever.Scan(factors.Span, k, user, exact), runs: 3);
            var truth = exact.Select(s => s.Item).ToHashSet();
            found += approximate.Count(s => truth.Contains(s.Item));
        }

        Array.Sort(indexMs);
        Array.Sort(scanMs);
        GC.KeepAlive(index);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ALS item factors, {train.ItemCount:N0} items x {k} (links {links}, build-ef {build}, search-ef {ef}): build {buildSeconds:F1} s (one thread), index {indexBytes / 1048576.0:F0} MB; " +
            $"recall@{top} {found / (double)(sample.Length * top):F4} over {sample.Length:N0} students; top-{top} index p50 {BenchMeasure.Percentile(indexMs, 0.5):F3} ms p99 {BenchMeasure.Percentile(indexMs, 0.99):F3} ms; " +
            $"exact scan p50 {BenchMeasure.Percentile(scanMs, 0.5):F3} ms p99 {BenchMeasure.Percentile(scanMs, 0.99):F3} ms"));

        if (ranker)
        {
            var texts = GeneratedCsv.Items(Path.Combine(dir, "resources.csv"), log.Items);
            foreach (var (name, limit) in new[] { ("exact scan", int.MaxValue), ("HNSW index", 2) })
            {
                clock.Restart();
                var suite = new RecommenderSuite(train, texts, new RecommenderSuiteOptions
                {
                    Als = new AlsOptions { MaxDegreeOfParallelism = threads },
                    Ease = new EaseOptions { MaxDegreeOfParallelism = threads },
                    ItemKnn = new ItemKnnOptions { MaxDegreeOfParallelism = threads },
                    // No held-out students: the re-ranking always serves, so the two rankers differ in their candidates only.
                    Ranker = new RankerOptions { ExactScanLimit = limit, ValidationShare = 0, Boosting = new RankerOptions().Boosting with { NumberOfThreads = threads } },
                })
                {
                    TrainingEvents = new InteractionLog(log.Users, log.Items, split.Train),
                };
                var model = (RankerRecommender)suite.Fit("ranker").Model;
                var fitSeconds = clock.Elapsed.TotalSeconds;
                var evaluation = RecommenderEvaluator.Evaluate(model, split, 10, fitSeconds, threads);
                var scores = new float[model.ItemCount];
                var best = new int[10];
                var latency = new double[sample.Length];
                for (var q = 0; q < sample.Length; q++)
                {
                    var u = sample[q];
                    latency[q] = BenchMeasure.Fastest(() => model.Recommend(train.UserItems(u), train.UserWeights(u), train.UserItems(u), scores, best), runs: 3);
                }

                Array.Sort(latency);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ranker, candidates by {name}: fit {fitSeconds:F1} s; NDCG@10 {evaluation.NdcgAtK:F4}, recall@10 {evaluation.RecallAtK:F4}, coverage {evaluation.Coverage:F3} " +
                    $"({evaluation.UsersEvaluated:N0} students); top-10 p50 {BenchMeasure.Percentile(latency, 0.5):F3} ms p99 {BenchMeasure.Percentile(latency, 0.99):F3} ms; " +
                    $"re-ranks: {model.ReRanks}; bases {string.Join(", ", model.BaseModels.Select(b => b.Name))}; candidates: {model.DescribeCandidates()}"));
            }
        }

        Console.WriteLine($"peak working set: {BenchMeasure.PeakMegabytes():N0} MB");
        return 0;
    }
}
