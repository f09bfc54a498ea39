namespace StudyRecs.Learning.Validation;

/// <summary>Row indices of one train/test split (each sorted ascending).</summary>
/// <param name="Train">Rows to train on.</param>
/// <param name="Test">Rows to evaluate on.</param>
/// <param name="Repeat">Repetition this split belongs to (0 for a single run).</param>
/// <param name="Fold">Fold index within the repetition.</param>
public sealed record DataSplit(int[] Train, int[] Test, int Repeat = 0, int Fold = 0);
