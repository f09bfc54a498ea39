using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

/// <summary>Small data sets with planted structure, shared by the recommender tests.</summary>
internal static class RecommendTestData
{
    /// <summary>
    /// Two communities: users 0..19 use items 0..9, users 20..39 use items 10..19 (each user 6 random items of
    /// their community, with a little cross-community noise); items 20..29 are never used.
    /// </summary>
    public static InteractionMatrix TwoCommunities() => InteractionMatrix.Build(TwoCommunitiesLog());

    /// <summary>The events behind <see cref="TwoCommunities"/>, in time order per student.</summary>
    public static InteractionLog TwoCommunitiesLog(int seed = 1)
    {
        var random = new Random(seed);
        var events = new List<Interaction>();
        for (var u = 0; u < 40; u++)
        {
            var community = u < 20 ? 0 : 10;
            foreach (var i in Enumerable.Range(community, 10).OrderBy(_ => random.Next()).Take(6))
            {
                events.Add(new Interaction(u, i, 1000 + events.Count, 1 + random.Next(4), InteractionKind.View));
            }

            if (random.NextDouble() < 0.2)
            {
                events.Add(new Interaction(u, random.Next(20), 1000 + events.Count, 1, InteractionKind.View));
            }
        }

        return new InteractionLog(new IdIndex(Enumerable.Range(0, 40).Select(u => $"u{u}")), new IdIndex(Enumerable.Range(0, 30).Select(i => $"i{i}")), [.. events]);
    }

    /// <summary>Texts matching the communities: items 0..9 are about calculus, 10..19 about poetry, 20..29 about chemistry.</summary>
    public static List<ItemText?> CommunityTexts() =>
        [.. Enumerable.Range(0, 30).Select(i => i < 10
            ? new ItemText($"Limits and derivatives {i}", "calculus functions slope", "Calculus", "Derivatives", "math")
            : i < 20
                ? new ItemText($"Reading sonnets {i}", "poetry rhyme meter", "Literature", "Poetry", "verse")
                : (ItemText?)new ItemText($"Titration lab {i}", "acid base reaction", "Chemistry", "Equilibrium", "lab"))];

    /// <summary>How many of <paramref name="top"/> fall in [from, to).</summary>
    public static int CountIn(IEnumerable<ScoredItem> top, int from, int to) => top.Count(s => s.Item >= from && s.Item < to);
}
