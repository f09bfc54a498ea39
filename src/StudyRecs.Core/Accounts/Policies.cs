namespace StudyRecs.Core.Accounts;

/// <summary>Authorization policy names used on every page and endpoint.</summary>
public static class Policies
{
    /// <summary>Administrators only.</summary>
    public const string Admin = "admin";

    /// <summary>Teachers and administrators (staff who manage datasets and see all students).</summary>
    public const string Staff = "staff";

    /// <summary>Students only (pages about "my" data).</summary>
    public const string Student = "student";

    /// <summary>Any signed-in account, whatever its role.</summary>
    public const string SignedIn = "signed-in";

    /// <summary>Any signed-in user, by the portal's cookie or by a bearer token from <c>/api/auth/login</c> (scripts).</summary>
    public const string ApiUser = "api-user";

    /// <summary>Teachers and administrators, by cookie or bearer token (staff APIs scripts call).</summary>
    public const string StaffApi = "staff-api";

    /// <summary>Administrators, by cookie or bearer token (admin APIs scripts call).</summary>
    public const string AdminApi = "admin-api";
}
