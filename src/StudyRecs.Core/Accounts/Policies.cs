namespace StudyRecs.Core.Accounts;

/// <summary>Authorization policy names used on every page and endpoint.</summary>
public static class Policies
{
    /// <summary>Administrators only.</summary>
    public const string Admin = "admin";

    /// <summary>Teachers and administrators (staff who manage datasets and see all students).</summary>
    public const string Staff = "staff";

    /// <summary>
    /// Teachers and administrators on the HTTP API, by the portal's cookie or by a bearer token from <c>/api/auth/login</c>.
    /// Endpoints that change data under this policy check the antiforgery token when the caller came by cookie.
    /// </summary>
    public const string StaffApi = "staff-api";

    /// <summary>Students only (pages about "my" data).</summary>
    public const string Student = "student";

    /// <summary>Any signed-in account, whatever its role.</summary>
    public const string SignedIn = "signed-in";

    /// <summary>Any signed-in user, by the portal's cookie or by a bearer token from <c>/api/auth/login</c> (scripts).</summary>
    public const string ApiUser = "api-user";

    /// <summary>Administrators, by cookie or bearer token (admin APIs scripts call).</summary>
    public const string AdminApi = "admin-api";
}
