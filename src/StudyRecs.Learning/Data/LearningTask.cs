namespace StudyRecs.Learning.Data;

/// <summary>What a model learns to predict.</summary>
public enum LearningTask
{
    /// <summary>A real-valued target (squared error).</summary>
    Regression = 0,

    /// <summary>Two classes labelled 0 and 1 (log loss).</summary>
    BinaryClassification = 1,

    /// <summary>Classes labelled 0..K-1 (softmax cross-entropy, K trees per round).</summary>
    MulticlassClassification = 2,

    /// <summary>Relevance grades within query groups (LambdaMART optimising NDCG@K).</summary>
    Ranking = 3,
}
