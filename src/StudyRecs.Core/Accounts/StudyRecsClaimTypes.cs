namespace StudyRecs.Core.Accounts;

public static class StudyRecsClaimTypes
{
    /// <summary>The dataset <c>student_id</c> a student account is linked to.</summary>
    public const string StudentId = "studyrecs:student_id";

    public const string DisplayName = "studyrecs:display_name";
}
