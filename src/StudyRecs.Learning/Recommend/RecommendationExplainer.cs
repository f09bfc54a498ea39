namespace StudyRecs.Learning.Recommend;

/// <summary>Why an item was recommended, in the order the explainer tries the reasons.</summary>
public enum ReasonKind
{
    /// <summary>The item is in one of the student's focus (weak) subjects: "you are at risk in Calculus".</summary>
    FocusSubject,

    /// <summary>Students who used <see cref="RecommendationReason.RelatedItem"/> also used this: "students with similar activity completed this".</summary>
    SimilarStudents,

    /// <summary>The item's text is close to <see cref="RecommendationReason.RelatedItem"/> from the history: "similar to 'Limits 101' you liked".</summary>
    SimilarContent,

    /// <summary>Popular recently: "trending in Physics".</summary>
    Trending,
}

/// <summary>A reason for one recommendation; the web app turns it into a sentence with titles and subjects.</summary>
/// <param name="Kind">Which reason.</param>
/// <param name="RelatedItem">The history item behind the reason, or -1.</param>
/// <param name="Subject">The item's subject, or null when unknown.</param>
public readonly record struct RecommendationReason(ReasonKind Kind, int RelatedItem, string? Subject);

/// <summary>Explains recommendations from any strategy with the fitted neighbourhood, content and popularity models.</summary>
public sealed class RecommendationExplainer
{
    private readonly ContentRecommender _content;
    private readonly ItemKnnRecommender? _neighbours;
    private readonly IReadOnlyList<string> _itemSubjects;

    /// <summary>Creates an explainer; <paramref name="itemSubjects"/>[i] is item i's subject (may be empty).</summary>
    public RecommendationExplainer(ContentRecommender content, ItemKnnRecommender? neighbours, IReadOnlyList<string> itemSubjects)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(itemSubjects);
        if (itemSubjects.Count != content.ItemCount || (neighbours is not null && neighbours.ItemCount != content.ItemCount))
        {
            throw new ArgumentException("The models and the subjects must cover the same catalog.", nameof(itemSubjects));
        }

        _content = content;
        _neighbours = neighbours;
        _itemSubjects = itemSubjects;
    }

    /// <summary>Minimum text similarity for a <see cref="ReasonKind.SimilarContent"/> reason.</summary>
    public float MinimumContentSimilarity { get; init; } = 0.2f;

    /// <summary>The reason for recommending <paramref name="item"/> to a student with this history and these focus subjects.</summary>
    public RecommendationReason Explain(ReadOnlySpan<int> historyItems, int item, ReadOnlySpan<string> focusSubjects)
    {
        var subject = string.IsNullOrWhiteSpace(_itemSubjects[item]) ? null : _itemSubjects[item].Trim();
        foreach (var focus in focusSubjects)
        {
            if (subject is not null && string.Equals(focus.Trim(), subject, StringComparison.OrdinalIgnoreCase))
            {
                return new RecommendationReason(ReasonKind.FocusSubject, -1, subject);
            }
        }

        var neighbour = _neighbours?.StrongestContributor(historyItems, item) ?? -1;
        if (neighbour >= 0)
        {
            return new RecommendationReason(ReasonKind.SimilarStudents, neighbour, subject);
        }

        var similar = _content.MostSimilarInHistory(historyItems, item);
        return similar >= 0 && _content.Similarity(similar, item) >= MinimumContentSimilarity
            ? new RecommendationReason(ReasonKind.SimilarContent, similar, subject)
            : new RecommendationReason(ReasonKind.Trending, -1, subject);
    }
}
