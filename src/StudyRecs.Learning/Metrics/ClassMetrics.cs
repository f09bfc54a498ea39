namespace StudyRecs.Learning.Metrics;

/// <summary>One class's row of a classification report.</summary>
/// <param name="Class">Class index.</param>
/// <param name="Precision">Correct predictions of the class over all predictions of it (0 when never predicted).</param>
/// <param name="Recall">Correct predictions of the class over its actual rows (0 when absent).</param>
/// <param name="F1">Harmonic mean of precision and recall.</param>
/// <param name="Support">Actual rows of the class.</param>
/// <param name="Brier">Mean squared error of the class's one-vs-rest probability.</param>
public sealed record ClassMetrics(int Class, double Precision, double Recall, double F1, int Support, double Brier);
