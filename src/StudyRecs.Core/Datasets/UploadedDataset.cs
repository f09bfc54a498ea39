using System.Text.Json.Serialization;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Core.Datasets;

/// <summary>Where an uploaded dataset is in its life.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DatasetStatus>))]
public enum DatasetStatus
{
    Uploaded,
    Validating,
    Accepted,
    Rejected,
    QueuedForTraining,
    Training,
    Trained,
    TrainingFailed,
}

/// <summary>Where original upload files are kept.</summary>
public enum OriginalFileStorage
{
    /// <summary>In the database (<see cref="UploadedDatasetFile"/>): one place to back up, works for several portal nodes.</summary>
    Database,

    /// <summary>In <c>datasets/</c> under the data folder (<see cref="Storage.StorageOptions"/>).</summary>
    Folder,
}

/// <summary>One gradebook upload: who sent what, what validation found, and where it is in the training lifecycle.</summary>
public class UploadedDataset
{
    public long Id { get; set; }

    /// <summary>The teacher or admin who uploaded it; null for operator imports (CLI) and deleted accounts.</summary>
    public string? UploaderId { get; set; }

    public ApplicationUser? Uploader { get; set; }

    /// <summary>Course or term label given at upload.</summary>
    public string? Label { get; set; }

    public required string FileName { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>SHA-256 of the file, lower-case hex: identical re-uploads are recognised.</summary>
    public required string Sha256 { get; set; }

    public DatasetFormat Format { get; set; }

    public string? Sheet { get; set; }

    public long TotalRows { get; set; }

    public long ValidRows { get; set; }

    public long LabelledRows { get; set; }

    public long RowsWithWarnings { get; set; }

    public long ErrorCount { get; set; }

    public long WarningCount { get; set; }

    /// <summary>Stored, but with fewer labelled rows than training needs.</summary>
    public bool TooSmallToTrain { get; set; }

    public DatasetStatus Status { get; set; }

    /// <summary>An earlier dataset with the same content (same SHA-256), when this upload repeats it.</summary>
    public long? DuplicateOfId { get; set; }

    public DateTimeOffset UploadedAt { get; set; }

    public DateTimeOffset? ValidatedAt { get; set; }

    public DateTimeOffset StatusChangedAt { get; set; }

    /// <summary>Why the dataset was rejected or training failed, in one line.</summary>
    public string? ErrorText { get; set; }

    /// <summary>
    /// Process that imports it (<see cref="Training.TrainingNode"/>: machine, process id and start): at start-up, an
    /// import still Uploaded or Validating whose process is gone is marked Rejected at once.
    /// </summary>
    public string? ImportWorker { get; set; }

    /// <summary>The <see cref="DatasetValidationReport"/> as JSON.</summary>
    public string? ReportJson { get; set; }

    /// <summary>Path of the original file under the data folder, when files are kept in a folder.</summary>
    public string? StoredFilePath { get; set; }

    /// <summary>When a teacher or admin archived it: kept for history, left out of training. Null while in use.</summary>
    public DateTimeOffset? ArchivedAt { get; set; }

    /// <summary>Who archived it (user name).</summary>
    public string? ArchivedBy { get; set; }

    public bool IsArchived => ArchivedAt is not null;

    public void SetStatus(DatasetStatus status, DateTimeOffset at, string? errorText = null)
    {
        Status = status;
        StatusChangedAt = at;
        ErrorText = errorText;
    }
}

/// <summary>The original bytes of an upload, when files are kept in the database; separate so listing datasets never loads them.</summary>
public class UploadedDatasetFile
{
    public long DatasetId { get; set; }

    public required byte[] Content { get; set; }
}

/// <summary>One validated gradebook row of an accepted dataset.</summary>
public class DatasetRow
{
    public long Id { get; set; }

    public long DatasetId { get; set; }

    /// <summary>Row number in the original file (header = 1).</summary>
    public long RowNumber { get; set; }

    public required string StudentId { get; set; }

    public int Semester { get; set; }

    public required string Subject { get; set; }

    public double? AssignmentMarks { get; set; }

    public double? QuizMarks { get; set; }

    public double? AttendancePercentage { get; set; }

    public double? MidtermMarks { get; set; }

    public double? PreviousCgpa { get; set; }

    public double? FinalMarks { get; set; }

    public string? FinalGrade { get; set; }

    /// <summary>Extra columns as a JSON object, numbers as JSON numbers; null when the file had none.</summary>
    public string? ExtraFeaturesJson { get; set; }
}
