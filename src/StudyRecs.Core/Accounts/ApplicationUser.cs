using Microsoft.AspNetCore.Identity;

namespace StudyRecs.Core.Accounts;

/// <summary>A portal account. Students are linked to the identifier their rows carry in uploaded datasets.</summary>
public class ApplicationUser : IdentityUser
{
    /// <summary>Name shown in the portal; falls back to the e-mail address.</summary>
    [PersonalData]
    public string? DisplayName { get; set; }

    /// <summary>The <c>student_id</c> used in gradebook datasets; only for accounts in the Student role.</summary>
    [PersonalData]
    public string? StudentId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
