namespace StudyRecs.Core.Storage;

/// <summary>Settings section <c>Storage</c>: where StudyRecs keeps its files.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// Folder for the SQLite database and uploaded files. Empty means a per-user application-data folder,
    /// so rebuilding the app never wipes data.
    /// </summary>
    public string? DataDirectory { get; set; }

    public string ResolveDataDirectory()
    {
        var dir = string.IsNullOrWhiteSpace(DataDirectory)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "StudyRecs")
            : Path.GetFullPath(Environment.ExpandEnvironmentVariables(DataDirectory));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
