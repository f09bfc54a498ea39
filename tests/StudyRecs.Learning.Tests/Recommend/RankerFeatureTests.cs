using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

/// <summary>The learned ranker's student features: computed as documented, and worth something when they carry signal.</summary>
public class RankerFeatureTests
{
    private static readonly string[] Levels = ["beginner", "intermediate", "advanced"];

    // The community texts with a type (even items videos, odd items quizzes) and a difficulty (item % 3).
    private static List<ItemText?> Texts() =>
        [.. RecommendTestData.CommunityTexts().Select((t, i) => (ItemText?)(t! with { Type = i % 2 == 0 ? "video" : "quiz", Difficulty = Levels[i % 3] }))];

    private static int Feature(string name) => RankerRecommender.ContextFeatureNames.ToList().IndexOf(name);

    [Fact]
    public void Features_describe_the_candidate_against_the_history_the_forecasts_and_the_impressions()
    {
        var suite = new RecommenderSuite(RecommendTestData.TwoCommunities(), Texts(), new RecommenderSuiteOptions
        {
            Als = new AlsOptions { Factors = 2, Iterations = 2 },
            Ranker = ModelStructureTests.Ranker with { Candidates = 30 },
        })
        {
            TrainingEvents = RecommendTestData.TwoCommunitiesLog(),
        };
        var ranker = (RankerRecommender)suite.Fit("ranker").Model;
        var now = 3000 + (2 * 86_400);
        var context = new StudentContext
        {
            Now = now,
            WeakSubjects = ["chemistry"],
            Level = 2,
            Shown = [new ShownItem(5, 2500), new ShownItem(5, 2600), new ShownItem(7, now + 1)],
        };

        // History: Calculus items 0 (video, beginner) and 1 (quiz, intermediate), Literature item 12 (video, beginner), weight 2.
        var (candidates, rows) = ranker.Describe([0, 1, 12], [1f, 1f, 2f], [1000, 2000, 3000], context);
        Assert.Equal(27, candidates.Length);
        Assert.DoesNotContain(0, candidates);
        Assert.DoesNotContain(12, candidates);
        var offset = ranker.BaseModels.Count;
        for (var c = 0; c < candidates.Length; c++)
        {
            var item = candidates[c];
            var x = rows[c].AsSpan(offset);
            var calculus = item < 10;
            var chemistry = item >= 20;
            var difficulty = item % 3;
            Assert.Equal(c, x[Feature("blend_rank")]);
            Assert.Equal(MathF.Log(4), x[Feature("history_length")], 5);
            Assert.Equal(chemistry ? 0f : 0.5f, x[Feature("subject_share")], 5);
            Assert.Equal(chemistry ? 0f : 0.5f, x[Feature("topic_share")], 5);
            Assert.Equal(item % 2 == 0 ? 0.75f : 0.25f, x[Feature("type_share")], 5);
            Assert.Equal(chemistry ? 0f : calculus ? 2f / 3 : 1f / 3, x[Feature("recent_subject_share")], 5);
            Assert.Equal(chemistry ? 1f : 0f, x[Feature("weak_subject")]);
            Assert.Equal(difficulty, x[Feature("difficulty")]);
            Assert.Equal(difficulty - (1f / 3), x[Feature("difficulty_gap_recent")], 5);
            Assert.Equal(difficulty - 2f, x[Feature("difficulty_gap_forecast")], 5);
            var days = x[Feature("days_since_subject")];
            if (chemistry)
            {
                Assert.True(float.IsNaN(days));
            }
            else
            {
                Assert.Equal(MathF.Log(1 + ((now - (calculus ? 2000f : 3000f)) / 86_400f)), days, 4);
            }

            // Two impressions of item 5 before now; item 7's only impression is after now.
            Assert.Equal(item == 5 ? MathF.Log(3) : 0f, x[Feature("times_shown")], 5);
        }

        // Without timestamps, forecasts and facets the features are missing values, not zeros.
        var (_, bare) = ranker.Describe([0, 1, 12], [1f, 1f, 2f], [], StudentContext.None);
        foreach (var name in new[] { "recent_subject_share", "weak_subject", "difficulty_gap_recent", "difficulty_gap_forecast", "days_since_subject" })
        {
            Assert.All(bare, row => Assert.True(float.IsNaN(row[offset + Feature(name)]), name));
        }
    }

    [Fact]
    public void Scoring_with_a_context_matches_the_features_and_history_stays_out_of_the_candidates()
    {
        var suite = new RecommenderSuite(RecommendTestData.TwoCommunities(), Texts(), new RecommenderSuiteOptions
        {
            Als = new AlsOptions { Factors = 2, Iterations = 2 },
            Ranker = ModelStructureTests.Ranker,
        })
        {
            TrainingEvents = RecommendTestData.TwoCommunitiesLog(),
        };
        var ranker = (RankerRecommender)suite.Fit("ranker").Model;
        var context = new StudentContext { WeakSubjects = ["Literature"], Level = 1 };
        var scores = new float[ranker.ItemCount];
        ranker.Score([0, 1, 2], [1f, 1f, 1f], [10, 20, 30], context, scores);
        var (candidates, rows) = ranker.Describe([0, 1, 2], [1f, 1f, 1f], [10, 20, 30], context);
        for (var c = 0; c < candidates.Length; c++)
        {
            Assert.Equal((float)ranker.Model.Predict(rows[c]), scores[candidates[c]]);
        }

        Assert.All(new[] { 0, 1, 2 }, h => Assert.True(scores[h] < scores[candidates[^1]]));
    }

    /// <summary>
    /// Students spend 35 % of their events in their weak subject and the rest anywhere: the history hints at the weak
    /// subject, the forecasts name it. The ranker that knows the forecasts must rank the later events clearly better.
    /// </summary>
    [Fact]
    public void Knowing_the_weak_subjects_improves_the_ranking_when_they_drive_behaviour()
    {
        const int subjects = 8;
        const int perSubject = 10;
        var random = new Random(7);
        var events = new List<Interaction>();
        const int students = 600;
        for (var u = 0; u < students; u++)
        {
            var weak = u % subjects;
            for (var e = 0; e < 8; e++)
            {
                var item = random.NextDouble() < 0.35 ? (weak * perSubject) + random.Next(perSubject) : random.Next(subjects * perSubject);
                events.Add(new Interaction(u, item, (1000 * (e + 1)) + u, 1f, InteractionKind.View));
            }
        }

        var log = new InteractionLog(new IdIndex(Enumerable.Range(0, students).Select(u => $"u{u}")),
            new IdIndex(Enumerable.Range(0, subjects * perSubject).Select(i => $"i{i}")), [.. events]);
        List<ItemText?> texts = [.. Enumerable.Range(0, subjects * perSubject).Select(i => (ItemText?)new ItemText($"Resource {i}", "", $"Subject{i / perSubject}", $"T{i % 2}", ""))];
        var contexts = Enumerable.Range(0, students).Select(u => new StudentContext { WeakSubjects = [$"subject{u % subjects}"] }).ToArray();
        var split = TemporalSplit.Create(log);
        // The re-ranking itself is compared (no held-out students to fall back on), against the hybrid's given weights.
        var options = new RecommenderSuiteOptions
        {
            Als = new AlsOptions { Factors = 4, Iterations = 3 },
            TuneHybridWeights = false,
            Ranker = new RankerOptions
            {
                ValidationShare = 0,
                Candidates = 40,
                Boosting = new GradientBoostingOptions { NumberOfTrees = 40, NumberOfLeaves = 8, MinimumExampleCountPerLeaf = 20, NdcgTruncationLevel = 10, NumberOfThreads = 1 },
            },
        };

        double Ndcg(Func<int, StudentContext?>? context, string strategy)
        {
            var suite = new RecommenderSuite(split.TrainMatrix, texts, options)
            {
                TrainingEvents = new InteractionLog(log.Users, log.Items, split.Train),
                Contexts = context,
            };
            return RecommenderEvaluator.Evaluate(suite.Fit(strategy).Model, split, 10, 0, 1, context).NdcgAtK;
        }

        var informed = Ndcg(u => contexts[u], "ranker");
        var blind = Ndcg(null, "ranker");
        var hybrid = Ndcg(null, "hybrid");
        Assert.True(informed > 1.15 * blind, $"ranker with forecasts {informed:F4}, without {blind:F4}");
        Assert.True(informed > 1.15 * hybrid, $"ranker with forecasts {informed:F4}, hybrid {hybrid:F4}");
    }
}
