namespace StudyRecs.Core.Datasets.Reading;

/// <summary>A file-level problem that ends reading (bad encoding, malformed structure, limits); becomes a report problem.</summary>
internal sealed class DatasetFileException(string rule, string message, long row = 0) : Exception(message)
{
    public string Rule { get; } = rule;

    /// <summary>Row where the problem was found, 0 for the file as a whole.</summary>
    public long Row { get; } = row;
}
