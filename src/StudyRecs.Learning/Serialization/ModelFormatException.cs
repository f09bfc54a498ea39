namespace StudyRecs.Learning.Serialization;

/// <summary>A model file that is not a valid StudyRecs tree model, is damaged, or was written by a newer engine.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public ModelFormatException()
        : base("The data is not a valid StudyRecs tree model.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
