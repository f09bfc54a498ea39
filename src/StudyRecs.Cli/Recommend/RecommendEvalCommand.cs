using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Cli.Recommend;

/// <summary>
/// <c>studyrecs recommend-eval</c>: offline evaluation of the recommenders on an interactions file with the
/// per-student temporal split (first ⌈0.8·n⌉ events train). External benchmarks call it; the contract is issue 7's.
/// </summary>
internal static class RecommendEvalCommand
{
    private const int Ok = 0;

    /// <summary>Bad input: a missing file or column, an unreadable value, nothing to evaluate.</summary>
    private const int BadInput = 2;

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var interactions = new Option<FileInfo>("--interactions") { Description = "CSV with user_id,item_id,timestamp and optional weight,event", Required = true };
        var items = new Option<FileInfo?>("--items") { Description = "CSV with item_id and optional title,description,subject,topic,tags (enables content)" };
        var students = new Option<FileInfo?>("--students")
        {
            Description = "CSV with user_id,weak_subjects and optional level (the forecasts' view of each student; features of the ranker)",
        };
        var k = new Option<int>("--k") { Description = "Cut-off of the top-K metrics", DefaultValueFactory = _ => 10 };
        var algorithm = new Option<string>("--algorithm") { Description = "Which recommender to evaluate", DefaultValueFactory = _ => "all" };
        algorithm.AcceptOnlyFromAmong([.. RecommenderSuite.Strategies, "all"]);
        var seed = new Option<int>("--seed") { Description = "Seed of the randomised models (ALS initial factors, the two-tower model's training)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per algorithm and line instead of a table" };
        var perStudent = new Option<FileInfo?>("--per-student")
        {
            Description = "Also write each evaluated student's NDCG@K per algorithm to this CSV (algorithm,user_id,ndcg), for paired comparisons",
        };
        var exactScanLimit = new Option<int>("--exact-scan-limit")
        {
            Description = "Largest catalog whose learned-ranker candidates come from scoring every item; above it, from an HNSW index over ALS or two-tower item embeddings",
            DefaultValueFactory = _ => new RankerOptions().ExactScanLimit,
        };
        var command = new Command("recommend-eval", "Evaluate recommenders offline on a per-student temporal split (80% train, 20% test)")
        {
            interactions, items, students, k, algorithm, seed, json, perStudent, exactScanLimit,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetValue(interactions)!.FullName,
            parseResult.GetValue(items)?.FullName,
            parseResult.GetValue(students)?.FullName,
            parseResult.GetValue(k),
            parseResult.GetValue(algorithm)!,
            parseResult.GetValue(seed),
            parseResult.GetValue(json),
            Console.Out,
            Console.Error,
            parseResult.GetValue(perStudent)?.FullName,
            parseResult.GetValue(exactScanLimit)));
        return command;
    }

    public static int Run(string interactionsPath, string? itemsPath, string? studentsPath, int k, string algorithm, int seed, bool json, TextWriter output, TextWriter progress,
        string? perStudentPath = null, int? exactScanLimit = null)
    {
        try
        {
            if (k < 1)
            {
                throw new RecommendInputException("--k must be at least 1");
            }

            if (exactScanLimit < 2)
            {
                throw new RecommendInputException("--exact-scan-limit must be at least 2");
            }

            var catalog = new IdIndex();
            var texts = itemsPath is null ? null : EvaluationInput.ReadItems(itemsPath, catalog);
            var log = EvaluationInput.ReadInteractions(interactionsPath, catalog);
            var contexts = studentsPath is null ? null : EvaluationInput.ReadStudents(studentsPath, log.Users);
            Func<int, StudentContext?>? context = contexts is null ? null : u => contexts[u];
            var split = TemporalSplit.Create(log);
            if (split.UsersWithTestItems == 0)
            {
                throw new RecommendInputException($"{interactionsPath}: no student has a test item (a student needs at least 5 events for one to fall in the last 20%)");
            }

            progress.WriteLine($"{log.Interactions.Length:N0} interactions, {log.Users.Count:N0} students, {log.Items.Count:N0} items; {split.UsersWithTestItems:N0} students with test items");
            var catalogTexts = texts is null ? null : Enumerable.Range(0, log.Items.Count).Select(i => i < texts.Count ? texts[i] : null).ToList();
            var ranker = new RankerOptions { Seed = seed, ExactScanLimit = exactScanLimit ?? new RankerOptions().ExactScanLimit };
            var options = new RecommenderSuiteOptions
            {
                Als = new AlsOptions { Seed = seed },
                TwoTower = new TwoTowerOptions { Seed = seed },
                Ranker = ranker,
                FastTreeRanker = MLNetLearner.RankerLike(ranker.Boosting, seed),
            };
            var suite = new RecommenderSuite(split.TrainMatrix, catalogTexts, options, progress.WriteLine)
            {
                TrainingEvents = new InteractionLog(log.Users, log.Items, split.Train),
                Contexts = context,
            };
            if (algorithm != "all" && suite.Unavailable(algorithm) is { } reason)
            {
                throw new RecommendInputException(reason);
            }

            var strategies = algorithm == "all" ? RecommenderSuite.Strategies : [algorithm];
            using var perStudent = perStudentPath is null ? null : new StreamWriter(perStudentPath, append: false);
            perStudent?.WriteLine("algorithm,user_id,ndcg");
            suite.PrepareToFit(strategies);
            foreach (var name in strategies)
            {
                if (suite.Unavailable(name) is { } skipped)
                {
                    progress.WriteLine($"skipping {name}: {skipped}");
                    continue;
                }

                var fitted = suite.Fit(name);
                var chosen = fitted.Model switch
                {
                    RankerRecommender { Validation: { } v } r => v.Describe([.. r.BaseModels.Select(b => b.Name)]),
                    HybridRecommender h when suite.HybridValidation is { } v => v.DescribeBlend([.. h.Components.Select(c => c.Model.Name)]),
                    _ => null,
                };
                if (chosen is not null)
                {
                    progress.WriteLine($"{name} {chosen}");
                }

                var candidates = (fitted.Model as RankerRecommender)?.DescribeCandidates();
                if (candidates is not null)
                {
                    progress.WriteLine($"{name} candidates: {candidates}");
                }

                var evaluation = RecommenderEvaluator.Evaluate(fitted.Model, split, k, fitted.Seconds, contexts: context);
                Write(evaluation, chosen, candidates, json, output);
                if (perStudent is not null)
                {
                    for (var i = 0; i < evaluation.Students.Count; i++)
                    {
                        perStudent.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{log.Users[evaluation.Students[i]]},{evaluation.NdcgPerStudent[i]:R}"));
                    }
                }
            }

            return Ok;
        }
        catch (Exception e) when (e is RecommendInputException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            progress.WriteLine($"recommend-eval: {e.Message}");
            return BadInput;
        }
    }

    private static void Write(RecommenderEvaluation e, string? chosen, string? candidates, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new EvaluationRecord(e.Algorithm, e.K, e.PrecisionAtK, e.RecallAtK, e.NdcgAtK, e.MapAtK,
                e.Coverage, Math.Round(e.TrainSeconds, 3), e.UsersEvaluated, chosen, candidates), JsonOptions));
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{e.Algorithm,-15} P@{e.K}={e.PrecisionAtK:F4}  R@{e.K}={e.RecallAtK:F4}  NDCG@{e.K}={e.NdcgAtK:F4}  MAP@{e.K}={e.MapAtK:F4}  coverage={e.Coverage:F3}  train={e.TrainSeconds:F2}s  users={e.UsersEvaluated}"));
    }

    // Chosen: for the hybrid and the learned rankers, what the inner split's held-out students chose (weights, or
    // whether the re-ranking serves); absent for the others. Candidates: for the learned rankers, where their candidates
    // come from (an exact scan, or an HNSW index above --exact-scan-limit).
    private sealed record EvaluationRecord(string Algorithm, int K, double PrecisionAtK, double RecallAtK, double NdcgAtK, double MapAtK,
        double Coverage, double TrainSeconds, int UsersEvaluated, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Chosen,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Candidates);
}
