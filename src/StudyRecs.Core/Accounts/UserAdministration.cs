using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace StudyRecs.Core.Accounts;

/// <summary>
/// Account administration shared by the admin pages and the <c>studyrecs users</c> commands:
/// create accounts, assign roles, link student ids, lock, unlock and reset passwords.
/// Every method validates its input and reports problems as messages instead of throwing.
/// </summary>
public sealed class UserAdministration(
    UserManager<ApplicationUser> users, RoleManager<IdentityRole> roles, TimeProvider clock, ILogger<UserAdministration> logger)
{
    /// <summary>Makes sure the three roles exist (idempotent).</summary>
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                var result = await roles.CreateAsync(new IdentityRole(role));
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException($"Could not create role {role}: {Describe(result)}");
                }
            }
        }
    }

    public async Task<AccountResult> CreateAsync(NewAccount account)
    {
        var errors = new List<string>();
        var email = account.Email?.Trim() ?? "";
        if (email.Length == 0 || !email.Contains('@', StringComparison.Ordinal))
        {
            errors.Add("Email: enter an e-mail address such as name@university.edu.");
        }

        var role = Roles.Normalize(account.Role);
        if (role is null)
        {
            errors.Add($"Role: '{account.Role}' is not a role; use one of {string.Join(", ", Roles.All)}.");
        }

        var studentId = NormalizeStudentId(account.StudentId);
        if (studentId is null && !string.IsNullOrWhiteSpace(account.StudentId))
        {
            errors.Add(InvalidStudentIdMessage);
        }

        if (studentId is not null && role != Roles.Student)
        {
            errors.Add("Student id: only Student accounts are linked to a student id.");
        }

        if (studentId is not null && await StudentIdTakenAsync(studentId, exceptUserId: null))
        {
            errors.Add($"Student id: '{studentId}' is already linked to another account.");
        }

        if (email.Length > 0 && await users.FindByEmailAsync(email) is not null)
        {
            errors.Add($"Email: an account with {email} already exists.");
        }

        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(account.DisplayName) ? null : account.DisplayName.Trim(),
            StudentId = studentId,
            CreatedAt = clock.GetUtcNow(),
            LockoutEnabled = true,
        };
        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, user, account.Password ?? "");
            errors.AddRange(check.Errors.Select(e => "Password: " + e.Description));
        }

        if (errors.Count > 0)
        {
            return AccountResult.Failed(errors);
        }

        await EnsureRolesAsync();
        var created = await users.CreateAsync(user, account.Password ?? "");
        if (!created.Succeeded)
        {
            return AccountResult.Failed(created.Errors.Select(e => e.Description));
        }

        var added = await users.AddToRoleAsync(user, role!);
        if (!added.Succeeded)
        {
            await users.DeleteAsync(user);
            return AccountResult.Failed(added.Errors.Select(e => e.Description));
        }

        logger.LogInformation("Created {Role} account {Email}", role, email);
        return AccountResult.Ok(user);
    }

    public async Task<AccountResult> SetRolesAsync(string userId, IEnumerable<string> requestedRoles)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return AccountResult.NotFound(userId);
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in requestedRoles)
        {
            var role = Roles.Normalize(r);
            if (role is null)
            {
                return AccountResult.Failed([$"'{r}' is not a role; use one of {string.Join(", ", Roles.All)}."]);
            }

            wanted.Add(role);
        }

        if (wanted.Count == 0)
        {
            return AccountResult.Failed(["Choose at least one role."]);
        }

        if (!wanted.Contains(Roles.Student) && user.StudentId is not null)
        {
            return AccountResult.Failed(["Unlink the student id before taking the Student role away."]);
        }

        await EnsureRolesAsync();
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && !wanted.Contains(Roles.Admin) && await IsLastAdminAsync(user))
        {
            return AccountResult.Failed(["This is the last administrator; make another account admin first."]);
        }

        var removed = await users.RemoveFromRolesAsync(user, current.Except(wanted));
        var added = removed.Succeeded ? await users.AddToRolesAsync(user, wanted.Except(current)) : removed;
        return added.Succeeded ? AccountResult.Ok(user) : AccountResult.Failed(added.Errors.Select(e => e.Description));
    }

    public async Task<AccountResult> LinkStudentIdAsync(string userId, string? studentId)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return AccountResult.NotFound(userId);
        }

        var normalized = NormalizeStudentId(studentId);
        if (normalized is null)
        {
            return AccountResult.Failed([InvalidStudentIdMessage]);
        }

        if (!await users.IsInRoleAsync(user, Roles.Student))
        {
            return AccountResult.Failed(["Only Student accounts are linked to a student id."]);
        }

        if (await StudentIdTakenAsync(normalized, user.Id))
        {
            return AccountResult.Failed([$"Student id '{normalized}' is already linked to another account."]);
        }

        user.StudentId = normalized;
        var result = await users.UpdateAsync(user);
        return result.Succeeded ? AccountResult.Ok(user) : AccountResult.Failed(result.Errors.Select(e => e.Description));
    }

    public async Task<AccountResult> UnlinkStudentIdAsync(string userId)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return AccountResult.NotFound(userId);
        }

        user.StudentId = null;
        var result = await users.UpdateAsync(user);
        return result.Succeeded ? AccountResult.Ok(user) : AccountResult.Failed(result.Errors.Select(e => e.Description));
    }

    /// <summary>Locks the account until an administrator unlocks it; <paramref name="reason"/> goes to the log with who locked it.</summary>
    public async Task<AccountResult> LockAsync(string userId, string actingUserId, string? reason = null)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return AccountResult.NotFound(userId);
        }

        if (user.Id == actingUserId)
        {
            return AccountResult.Failed(["You cannot lock your own account."]);
        }

        await users.SetLockoutEnabledAsync(user, true);
        var result = await users.SetLockoutEndDateAsync(user, AdministratorLockEnd);
        await users.UpdateSecurityStampAsync(user);
        logger.LogInformation("Account {Email} locked by {ActingUserId}: {Reason}", user.Email, actingUserId, string.IsNullOrWhiteSpace(reason) ? "no reason given" : reason.Trim());
        return result.Succeeded ? AccountResult.Ok(user) : AccountResult.Failed(result.Errors.Select(e => e.Description));
    }

    public async Task<AccountResult> UnlockAsync(string userId)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return AccountResult.NotFound(userId);
        }

        var result = await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return result.Succeeded ? AccountResult.Ok(user) : AccountResult.Failed(result.Errors.Select(e => e.Description));
    }

    /// <summary>Sets a new password chosen by the admin (or a generated one when <paramref name="newPassword"/> is empty).</summary>
    public async Task<(AccountResult Result, string? Password)> ResetPasswordAsync(string userId, string? newPassword)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return (AccountResult.NotFound(userId), null);
        }

        var password = string.IsNullOrWhiteSpace(newPassword) ? GeneratePassword() : newPassword;
        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, user, password);
            if (!check.Succeeded)
            {
                return (AccountResult.Failed(check.Errors.Select(e => e.Description)), null);
            }
        }

        await users.RemovePasswordAsync(user);
        var result = await users.AddPasswordAsync(user, password);
        await users.UpdateSecurityStampAsync(user);
        return result.Succeeded ? (AccountResult.Ok(user), password) : (AccountResult.Failed(result.Errors.Select(e => e.Description)), null);
    }

    /// <summary>An administrator's lock does not expire (a lock after failed sign-ins does): it ends only when an administrator unlocks the account.</summary>
    /// <remarks>
    /// Compared with a margin: PostgreSQL keeps microseconds, so the stored end reads back a fraction of a second
    /// before <see cref="DateTimeOffset.MaxValue"/>; a lock after failed sign-ins ends minutes from now, never near it.
    /// </remarks>
    public static bool IsLockedByAdministrator(ApplicationUser user) => user.LockoutEnd is { } end && end >= AdministratorLockEnd.AddYears(-1);

    private static readonly DateTimeOffset AdministratorLockEnd = DateTimeOffset.MaxValue;

    /// <summary>The operator's path for a lost password (<c>studyrecs users reset-password</c>): the account named by its e-mail.</summary>
    public async Task<(AccountResult Result, string? Password)> ResetPasswordByEmailAsync(string? email, string? newPassword)
    {
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        return user is null
            ? (AccountResult.Failed([$"No account with the e-mail address '{email}'."]), null)
            : await ResetPasswordAsync(user.Id, newPassword);
    }

    /// <summary>A random password that satisfies the policy, for demo accounts and resets.</summary>
    public static string GeneratePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789";
        const string all = upper + lower + digits;
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        return new string(chars);
    }

    private const string InvalidStudentIdMessage = "Student id: enter the id used in the gradebook datasets (letters, digits, - _ . only, up to 64 characters).";

    internal static string? NormalizeStudentId(string? studentId)
    {
        if (string.IsNullOrWhiteSpace(studentId))
        {
            return null;
        }

        var s = studentId.Trim();
        return s.Length <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? s : null;
    }

    private Task<bool> StudentIdTakenAsync(string studentId, string? exceptUserId) =>
        users.Users.AnyAsync(u => u.StudentId == studentId && u.Id != exceptUserId);

    private async Task<bool> IsLastAdminAsync(ApplicationUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        return admins.Count == 1 && admins[0].Id == user.Id;
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}

/// <summary>Accounts per role and how many are locked.</summary>
public sealed record AccountCounts(IReadOnlyList<(string Role, int Count)> PerRole, int Locked);

public sealed record NewAccount(string? Email, string? Password, string? Role, string? StudentId = null, string? DisplayName = null);

public sealed record UserSummary(
    string Id, string Email, string? DisplayName, string? StudentId, IReadOnlyList<string> Roles, bool IsLockedOut, int FailedSignIns, DateTimeOffset CreatedAt);

public sealed record AccountResult(bool Succeeded, ApplicationUser? User, IReadOnlyList<string> Errors)
{
    public static AccountResult Ok(ApplicationUser user) => new(true, user, []);
    public static AccountResult Failed(IEnumerable<string> errors) => new(false, null, [.. errors]);
    public static AccountResult NotFound(string id) => new(false, null, [$"No account with id '{id}'."]);
}
