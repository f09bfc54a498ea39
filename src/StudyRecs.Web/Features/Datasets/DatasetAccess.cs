using System.Security.Claims;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Web.Features.Datasets;

/// <summary>Teachers see their own uploads; admins see every upload.</summary>
internal static class DatasetAccess
{
    /// <summary>The uploader to restrict queries to, or null for admins.</summary>
    public static string? OwnerFilter(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) ? null : user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "\0no-user";

    public static string? UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);
}
