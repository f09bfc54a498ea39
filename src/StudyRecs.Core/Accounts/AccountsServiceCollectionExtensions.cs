using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>
    /// Identity with EF Core stores, roles, the portal's password and lockout policy, and the claims that
    /// carry a student's linked id. The portal adds sign-in on top; the CLI uses it as is.
    /// </summary>
    public static IdentityBuilder AddStudyRecsIdentity(this IServiceCollection services)
    {
        services.AddScoped<UserAdministration>();
        services.AddScoped<UserDirectory>();
        services.AddScoped<StudentDataAccess>();
        return services.AddIdentityCore<ApplicationUser>(ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<StudyRecsDbContext>()
            .AddClaimsPrincipalFactory<StudyRecsClaimsPrincipalFactory>();
    }

    internal static void ConfigureIdentity(IdentityOptions options)
    {
        options.User.RequireUniqueEmail = true;
        options.SignIn.RequireConfirmedAccount = false;
        options.Password.RequiredLength = PasswordRules.MinimumLength;
        options.Password.RequireDigit = true;
        options.Password.RequireLowercase = true;
        options.Password.RequireUppercase = true;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequiredUniqueChars = 4;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
    }
}

/// <summary>What a password must have; shown next to password fields.</summary>
public static class PasswordRules
{
    public const int MinimumLength = 10;
    public const string Description = "At least 10 characters, with an upper-case letter, a lower-case letter and a digit.";
}
