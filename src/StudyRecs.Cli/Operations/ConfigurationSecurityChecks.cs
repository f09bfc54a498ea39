using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;

namespace StudyRecs.Cli.Operations;

/// <summary>
/// The settings the portal would run with (appsettings.json and environment variables, as <c>studyrecs</c> reads them),
/// judged without starting it: environment, cookies, demo accounts, keys, password and lockout policy, rate limits and
/// upload limits.
/// </summary>
internal static class ConfigurationSecurityChecks
{
    /// <summary>Above this many requests per second a per-user limit no longer protects anything.</summary>
    private const double RateLimitCeilingPerSecond = 10_000;

    public static async Task<IReadOnlyList<SecurityCheckResult>> RunAsync(IServiceProvider services, string environment, CancellationToken ct)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var development = string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase);
        var results = new List<SecurityCheckResult>
        {
            development
                ? SecurityCheckResult.Of("https-and-hsts", CheckStatus.Warn, "Environment is Development: HTTPS redirection and HSTS are off and demo accounts are seeded; run production with ASPNETCORE_ENVIRONMENT=Production.")
                : SecurityCheckResult.Of("https-and-hsts", CheckStatus.Pass, $"Environment {environment}: HTTPS redirection and HSTS are on."),
            Cookies(),
            await DemoAccountsAsync(services, development, ct),
            await KeysAsync(services, ct),
            PasswordPolicy(services.GetRequiredService<IOptions<IdentityOptions>>().Value),
            Lockout(services.GetRequiredService<IOptions<IdentityOptions>>().Value),
            RateLimits(configuration),
            UploadLimits(configuration),
        };
        return results;
    }

    private static SecurityCheckResult Cookies() =>
        PortalCookiePolicy.HttpOnly && PortalCookiePolicy.SameSite is SameSiteMode.Lax or SameSiteMode.Strict && PortalCookiePolicy.SecurePolicy != CookieSecurePolicy.None
            ? SecurityCheckResult.Of("cookies", CheckStatus.Pass, $"HttpOnly, SameSite={PortalCookiePolicy.SameSite}, Secure over HTTPS ({PortalCookiePolicy.SecurePolicy}).")
            : SecurityCheckResult.Of("cookies", CheckStatus.Fail, "Sign-in cookies must be HttpOnly, SameSite Lax or Strict, and Secure over HTTPS.");

    private static async Task<SecurityCheckResult> DemoAccountsAsync(IServiceProvider services, bool development, CancellationToken ct)
    {
        var emails = DemoAccountSeeder.DemoAccounts.Select(a => a.Email.ToUpperInvariant()).ToList();
        List<string> present;
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            if (!(await db.Database.GetAppliedMigrationsAsync(ct)).Any())
            {
                return SecurityCheckResult.Of("demo-accounts", CheckStatus.Warn, "The database has no schema yet (the portal's first start or `studyrecs db migrate` creates it); check again after.");
            }

            present = await db.Set<ApplicationUser>().Where(u => u.NormalizedEmail != null && emails.Contains(u.NormalizedEmail)).Select(u => u.Email!).ToListAsync(ct);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            return SecurityCheckResult.Of("demo-accounts", CheckStatus.Warn, $"Could not read the accounts: {e.Message}");
        }

        if (present.Count == 0)
        {
            return SecurityCheckResult.Of("demo-accounts", CheckStatus.Pass, "No demo account exists.");
        }

        return development
            ? SecurityCheckResult.Of("demo-accounts", CheckStatus.Warn, $"Demo accounts exist ({string.Join(", ", present)}); fine for a local demo only.")
            : SecurityCheckResult.Of("demo-accounts", CheckStatus.Fail, $"Demo accounts exist outside Development: {string.Join(", ", present)}. Delete them (studyrecs users) or reset their passwords.");
    }

    /// <summary>The portal keeps its data-protection keys in the database, so that every node and every restart reads the same ones.</summary>
    private static async Task<SecurityCheckResult> KeysAsync(IServiceProvider services, CancellationToken ct)
    {
        int count;
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            count = (await db.Database.GetAppliedMigrationsAsync(ct)).Any() ? await db.DataProtectionKeys.CountAsync(ct) : 0;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            return SecurityCheckResult.Of("data-protection-keys", CheckStatus.Warn, $"Could not read the keys: {e.Message}");
        }

        return count > 0
            ? SecurityCheckResult.Of("data-protection-keys", CheckStatus.Pass, $"{count} key(s) persisted in the database (table DataProtectionKeys): every node and every restart reads the same ones.")
            : SecurityCheckResult.Of("data-protection-keys", CheckStatus.Warn, "No key in the database yet: the portal creates one on its first start and keeps it there.");
    }

    private static SecurityCheckResult PasswordPolicy(IdentityOptions identity)
    {
        var p = identity.Password;
        var detail = $"At least {p.RequiredLength} characters, digit {Yes(p.RequireDigit)}, upper case {Yes(p.RequireUppercase)}, lower case {Yes(p.RequireLowercase)}.";
        if (p.RequiredLength < 8)
        {
            return SecurityCheckResult.Of("password-policy", CheckStatus.Fail, detail + " Require at least 8 characters.");
        }

        return p.RequiredLength >= 10 && p.RequireDigit && p.RequireUppercase && p.RequireLowercase
            ? SecurityCheckResult.Of("password-policy", CheckStatus.Pass, detail)
            : SecurityCheckResult.Of("password-policy", CheckStatus.Warn, detail);
    }

    private static SecurityCheckResult Lockout(IdentityOptions identity)
    {
        var l = identity.Lockout;
        var detail = $"{l.MaxFailedAccessAttempts} failed sign-ins lock an account for {l.DefaultLockoutTimeSpan.TotalMinutes:0} minutes; new accounts {(l.AllowedForNewUsers ? "included" : "excluded")}.";
        return l.AllowedForNewUsers && l.MaxFailedAccessAttempts is > 0 and <= 10 && l.DefaultLockoutTimeSpan >= TimeSpan.FromMinutes(1)
            ? SecurityCheckResult.Of("lockout", CheckStatus.Pass, detail)
            : SecurityCheckResult.Of("lockout", CheckStatus.Fail, detail + " Lock after at most 10 failures, for at least a minute, new accounts included.");
    }

    private static SecurityCheckResult RateLimits(IConfiguration configuration)
    {
        var loose = new List<string>();
        var described = new List<string>();
        foreach (var section in new[] { "RateLimiting:Predict", "RateLimiting:RecommendationEvents" })
        {
            var s = configuration.GetSection(section);
            var limit = s.GetValue("TokenLimit", 60);
            var perPeriod = s.GetValue("TokensPerPeriod", 20);
            var period = s.GetValue("PeriodSeconds", 1.0);
            var perSecond = period > 0 ? perPeriod / period : double.PositiveInfinity;
            described.Add(string.Create(CultureInfo.InvariantCulture, $"{section}: burst {limit}, {perSecond:0.#}/s per user"));
            if (limit > RateLimitCeilingPerSecond || perSecond > RateLimitCeilingPerSecond)
            {
                loose.Add(section);
            }
        }

        return loose.Count == 0
            ? SecurityCheckResult.Of("rate-limits", CheckStatus.Pass, string.Join("; ", described) + ".")
            : SecurityCheckResult.Of("rate-limits", CheckStatus.Warn, $"{string.Join(", ", loose)} allow(s) more than {RateLimitCeilingPerSecond:0} requests per second per user: effectively off (fine for a load test only). {string.Join("; ", described)}.");
    }

    /// <summary>The row limit should be reachable: that many typical gradebook rows must fit under the byte limit.</summary>
    private static SecurityCheckResult UploadLimits(IConfiguration configuration)
    {
        var options = configuration.GetSection(DatasetOptions.SectionName).Get<DatasetOptions>() ?? new DatasetOptions();
        var bytesPerRow = TypicalRowBytes();
        var rowsUnderByteLimit = (long)(options.MaxUploadBytes / bytesPerRow);
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"MaxUploadBytes {options.MaxUploadBytes:N0}, MaxRows {options.MaxRows:N0}, a typical row {bytesPerRow:0.#} bytes: about {rowsUnderByteLimit:N0} rows fit.");
        if (options.MaxUploadBytes > 2L * 1024 * 1024 * 1024 || options.MaxCellLength > 100_000)
        {
            return SecurityCheckResult.Of("upload-limits", CheckStatus.Fail, detail + " Keep uploads under 2 GB and cells under 100,000 characters.");
        }

        return rowsUnderByteLimit >= options.MaxRows
            ? SecurityCheckResult.Of("upload-limits", CheckStatus.Pass, detail)
            : SecurityCheckResult.Of("upload-limits", CheckStatus.Warn, detail + string.Create(CultureInfo.InvariantCulture,
                $" The row limit cannot be reached: raise Datasets:MaxUploadBytes to {(long)Math.Ceiling(options.MaxRows * bytesPerRow):N0} or lower Datasets:MaxRows to {rowsUnderByteLimit:N0}."));
    }

    private static double TypicalRowBytes()
    {
        var csv = new StringWriter(CultureInfo.InvariantCulture);
        var spec = new PerformanceDataSpec(Students: 100);
        PerformanceDataGenerator.WriteCsv(spec, csv);
        return System.Text.Encoding.UTF8.GetByteCount(csv.ToString()) / (double)spec.RowCount;
    }

    private static string Yes(bool value) => value ? "yes" : "no";
}
