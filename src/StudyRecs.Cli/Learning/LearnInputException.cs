namespace StudyRecs.Cli.Learning;

/// <summary>Input `studyrecs learn` refuses (exit code 2); the message is shown as is.</summary>
internal sealed class LearnInputException(string message) : Exception(message);
