using System.ComponentModel.DataAnnotations;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Resources;

/// <summary>Settings section <c>Resources</c>: catalog import limits and the starter catalog.</summary>
public sealed class ResourceOptions
{
    public const string SectionName = "Resources";

    /// <summary>Largest accepted import file in bytes (default 10 MB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>Most resources in one import file.</summary>
    [Range(1, 1_000_000)]
    public int MaxRows { get; set; } = 20_000;

    /// <summary>Longest cell read from an import file; longer cells are refused before any field rule looks at them.</summary>
    [Range(1, 1_000_000)]
    public int MaxCellLength { get; set; } = 4_000;

    /// <summary>Problems listed one by one in an import report (all are counted).</summary>
    [Range(1, 1_000_000)]
    public int MaxListedProblems { get; set; } = 1000;

    /// <summary>Seed the starter catalog at start-up outside Development too (it is always seeded in Development).</summary>
    public bool SeedStarterCatalog { get; set; }

    /// <summary>The reading limits in the shape the shared upload reader takes.</summary>
    internal DatasetOptions ReadingLimits() => new()
    {
        MaxUploadBytes = MaxUploadBytes,
        MaxRows = MaxRows,
        MaxCellLength = MaxCellLength,
        MaxXlsxUncompressedBytes = Math.Max(MaxUploadBytes * 20, 64L * 1024 * 1024),
    };
}
