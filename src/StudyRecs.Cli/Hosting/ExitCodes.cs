namespace StudyRecs.Cli.Hosting;

internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad input or a refused operation; the message says why.</summary>
    public const int Failed = 2;
}
