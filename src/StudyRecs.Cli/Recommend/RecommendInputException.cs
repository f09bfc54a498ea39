namespace StudyRecs.Cli.Recommend;

/// <summary>Input that cannot be evaluated: the message is shown to the user as is.</summary>
internal sealed class RecommendInputException(string message) : Exception(message);
