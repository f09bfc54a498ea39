using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class TwoTowerTests
{
    internal static readonly TwoTowerOptions Small = new()
    {
        EmbeddingSize = 8,
        HiddenSize = 16,
        OutputSize = 8,
        BatchSize = 32,
        LearningRate = 0.02f,
        MaxEpochs = 30,
        Patience = 30,
        ValidationStudents = 10,
        HashBuckets = 64,
    };

    // Users 0..19 are weak in Calculus, 20..39 in Literature, like the communities they use.
    private static StudentContext Context(int user) => new() { WeakSubjects = [user < 20 ? "Calculus" : "Literature"] };

    [Fact]
    public void Gradients_match_finite_differences_of_the_in_batch_softmax_loss()
    {
        var user = new TowerShape(0, [6, 3], embedding: 3, dense: 2, hidden: 5, output: 3);
        var item = new TowerShape(user.End, [6, 4], embedding: 3, dense: 1, hidden: 4, output: 3);
        var random = new Random(3);
        var parameters = Enumerable.Range(0, item.End).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var batch = new TwoTowerBatch(user, item, 5);
        int[] itemIds = [0, 2, 3, 2, 5];
        for (var i = 0; i < batch.Size; i++)
        {
            var u = batch.UserInputs[i];
            u.Clear();
            u.Add(i, 2f);
            u.Add((i + 1) % 6, 1f);
            u.EndField();
            u.Add(i % 3, 1f);
            u.EndField();
            u.DenseValues[0] = 0.3f * i;
            u.DenseValues[1] = 1f;
            var v = batch.ItemInputs[i];
            v.Clear();
            v.Add(itemIds[i], 1f);
            v.EndField();
            v.Add(i % 4, 1f);
            v.Add((i + 2) % 4, 1f);
            v.EndField();
            v.DenseValues[0] = 0.5f;
            batch.ItemIds[i] = itemIds[i];
            batch.LogQ[i] = -0.2f * i;
        }

        double Loss(float[] p) => batch.LossAndGradient(p, batch.Size, 0.5f, new float[p.Length], [], new bool[p.Length], new ParallelOptions());

        var gradient = new float[parameters.Length];
        batch.LossAndGradient(parameters, batch.Size, 0.5f, gradient, [], new bool[parameters.Length], new ParallelOptions());
        Assert.Contains(gradient, g => Math.Abs(g) > 1e-3);
        const float step = 5e-4f;
        var checkedCount = 0;
        for (var p = 0; p < parameters.Length; p++)
        {
            var original = parameters[p];
            parameters[p] = original + step;
            var up = Loss(parameters);
            parameters[p] = original - step;
            var down = Loss(parameters);
            parameters[p] = original;
            var numeric = (up - down) / (2 * step);
            Assert.True(Math.Abs(numeric - gradient[p]) <= 2e-3 + (0.03 * Math.Abs(numeric)),
                $"parameter {p}: analytic {gradient[p]}, finite difference {numeric}");
            checkedCount++;
        }

        Assert.Equal(item.End, checkedCount);
    }

    [Fact]
    public void Recommends_the_students_own_community()
    {
        var model = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), Small);
        foreach (var (history, from) in new[] { (new[] { 0, 1, 2 }, 0), (new[] { 10, 11, 12 }, 10) })
        {
            var top = model.Recommend(history, [1f, 1f, 1f], 4, history);
            Assert.Equal(4, RecommendTestData.CountIn(top, from, from + 10));
        }

        Assert.InRange(model.ValidationRecall.Count, 1, Small.MaxEpochs);
    }

    [Fact]
    public void Serves_a_student_without_history_from_the_forecasts_weak_subjects()
    {
        var model = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), Small, Context);
        foreach (var (subject, from) in new[] { ("Calculus", 0), ("Literature", 10) })
        {
            var scores = new float[model.ItemCount];
            model.Score([], [], [], new StudentContext { WeakSubjects = [subject] }, scores);
            var top = Enumerable.Range(0, 20).OrderByDescending(i => scores[i]).Take(5).ToArray();
            Assert.All(top, i => Assert.InRange(i, from, from + 9));
        }
    }

    [Fact]
    public void Serves_items_nobody_used_from_their_features()
    {
        // Items 20..29 were never used; give 20..24 the calculus community's subject and words.
        var texts = RecommendTestData.CommunityTexts();
        for (var i = 20; i < 25; i++)
        {
            texts[i] = new ItemText($"Limits and derivatives {i}", "calculus functions slope", "Calculus", "Derivatives", "math");
        }

        var model = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), texts, Small);
        var scores = new float[model.ItemCount];
        model.Score([0, 1, 2], [1f, 1f, 1f], scores);
        var newCalculus = scores[20..25].Average();
        Assert.True(newCalculus > scores[10..20].Max(), $"new calculus items {newCalculus} vs poetry {scores[10..20].Max()}");
        Assert.True(newCalculus > scores[25..30].Max(), $"new calculus items {newCalculus} vs new chemistry {scores[25..30].Max()}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_model_on_one_thread_or_two()
    {
        var one = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), Small with { MaxEpochs = 3, MaxDegreeOfParallelism = 1 });
        var two = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), Small with { MaxEpochs = 3, MaxDegreeOfParallelism = 2 });
        var other = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), Small with { MaxEpochs = 3, Seed = 7 });
        Assert.Equal(one.ItemEmbeddings.ToArray(), two.ItemEmbeddings.ToArray());
        Assert.NotEqual(one.ItemEmbeddings.ToArray(), other.ItemEmbeddings.ToArray());
        Assert.Equal(one.ValidationRecall, two.ValidationRecall);
    }

    [Fact]
    public void Early_stopping_ends_training_once_validation_recall_stops_improving()
    {
        var recalls = new List<double>();
        var model = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(),
            Small with { MaxEpochs = 200, Patience = 2, LearningRate = 0.05f }, epochCompleted: (_, _, recall) => recalls.Add(recall));
        Assert.True(recalls.Count < 200, "training ran every epoch although validation recall cannot keep improving");
        var best = recalls.Max();
        var bestEpoch = recalls.IndexOf(best);
        Assert.Equal(bestEpoch + 1 + 2, recalls.Count);
        Assert.Equal(recalls, model.ValidationRecall);
    }

    [Fact]
    public void History_items_outside_the_catalog_are_ignored()
    {
        var model = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), Small with { MaxEpochs = 1 });
        var with = new float[model.ItemCount];
        var without = new float[model.ItemCount];
        model.Score([0, 1, 500, -3], [1f, 1f, 1f, 1f], with);
        model.Score([0, 1], [1f, 1f], without);
        Assert.Equal(without, with);
    }
}
