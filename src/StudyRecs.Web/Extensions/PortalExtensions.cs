using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Quartz;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Monitoring;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Web.Api;
using StudyRecs.Web.Components;
using StudyRecs.Web.Components.Layout;
using StudyRecs.Web.Components.UI;
using StudyRecs.Web.Features.Accounts;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Features.Monitoring;
using StudyRecs.Web.Features.Predictions;
using StudyRecs.Web.Features.Recommendations;
using StudyRecs.Web.Features.Resources;
using StudyRecs.Web.Features.Training;

namespace StudyRecs.Web.Extensions;

/// <summary>Service wiring and request pipeline of the portal; Program.cs stays a few lines.</summary>
public static class PortalExtensions
{
    public static WebApplicationBuilder AddStudyRecsPortal(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Serve package assets (MudBlazor, the framework script) from the build output in every environment, not only Development;
        // after `dotnet publish` they sit in wwwroot and this is a no-op.
        builder.WebHost.UseStaticWebAssets();
        // No "Server: Kestrel" on answers: the stack and its version are nobody's business.
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        services.AddStudyRecsDatabase(builder.Configuration);
        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<DemoAccountSeeder>();
        services.AddStudyRecsDatasets();
        services.AddHostedService<InterruptedImportRecovery>();
        services.AddStudyRecsResources();
        services.AddStudyRecsTraining();
        // One watcher of the rows the live pages show, per node: the pages subscribe instead of each asking the database.
        var liveUpdateSeconds = builder.Configuration.GetValue("Portal:LiveUpdateSeconds", 2.0);
        if (liveUpdateSeconds is < 0.1 or > 300)
        {
            throw new InvalidOperationException($"Portal:LiveUpdateSeconds is {liveUpdateSeconds}; set it between 0.1 and 300 seconds (default 2).");
        }

        services.AddSingleton(sp => new PortalActivity(sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<StudyRecsDbContext>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PortalActivity>>())
        { Interval = TimeSpan.FromSeconds(liveUpdateSeconds), WatchesJobStore = true });
        services.AddHostedService(sp => sp.GetRequiredService<PortalActivity>());
        services.AddStudyRecsScheduling(builder.Configuration, runScheduler: true);
        services.AddStudyRecsPredictions();
        services.AddStudyRecsRecommendations(runSchedule: true);
        services.AddStudyRecsMonitoring(runSchedule: true);

        // The admin dashboard's models-and-jobs figures read the scheduler and the monitoring alerts, both registered above.
        services.AddScoped<OperationsOverview>();

        var authentication = services.AddAuthentication(IdentityConstants.ApplicationScheme);
        authentication.AddIdentityCookies();
        authentication.AddBearerToken(IdentityConstants.BearerScheme, BearerTokenRevalidation.Configure);
        services.AddSingleton<BearerTokenRevalidation>();
        services.AddStudyRecsIdentity().AddSignInManager().AddDefaultTokenProviders().AddApiEndpoints();
        services.ConfigureApplicationCookie(ConfigureCookie);
        // A lock or password reset changes the account's security stamp; the cookie is checked against it this often
        // (Identity's default is 30 minutes, far too long for "lock this account now").
        services.AddOptions<AccountSessionOptions>().BindConfiguration(AccountSessionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<AccountSessionOptions>>((o, session) =>
            o.ValidationInterval = TimeSpan.FromSeconds(session.Value.SessionRevalidationSeconds));
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Staff, p => p.RequireRole(Roles.Admin, Roles.Teacher))
            .AddPolicy(Policies.StaffApi, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, IdentityConstants.BearerScheme).RequireRole(Roles.Admin, Roles.Teacher))
            .AddPolicy(Policies.Student, p => p.RequireRole(Roles.Student))
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.ApiUser, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, IdentityConstants.BearerScheme).RequireAuthenticatedUser())
            .AddPolicy(Policies.AdminApi, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, IdentityConstants.BearerScheme).RequireRole(Roles.Admin))
            // Anything that forgets to declare a policy still requires a signed-in user.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        services.AddCascadingAuthenticationState();
        // Live pages re-check their sign-in against the account (lock, reset) while they stay open.
        services.AddScoped<AuthenticationStateProvider, CircuitSignInRevalidation>();
        services.AddHttpContextAccessor();
        services.AddScoped<PageRedirect>();
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Several nodes: SignalR messages pass between them through Redis when SignalR:Redis is set.
        services.AddStudyRecsSignalRScaleOut(builder.Configuration);
        services.AddMudServices();
        services.AddProblemDetails();
        services.AddStudyRecsApiJson();
        services.AddStudyRecsRateLimits(builder.Configuration);
        services.AddOpenApi(o => o.ShouldInclude = d => d.RelativePath is { } path
            && (path.StartsWith("api/", StringComparison.Ordinal) || path.StartsWith(RecommendationApi.AdminPrefix.TrimStart('/'), StringComparison.Ordinal)));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "studyrecs.af";
            o.Cookie.SecurePolicy = PortalCookiePolicy.SecurePolicy;
        });
        // Sign-in cookies and tokens survive restarts and pass between nodes: the keys live in the shared database.
        services.AddDataProtection().SetApplicationName("StudyRecs").PersistKeysToDbContext<StudyRecsDbContext>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database").AddQuartz(_ => { });
        return builder;
    }

    public static WebApplication UseStudyRecsPortal(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseSecurityHeaders();
        // Ahead of authentication: checking a sign-in against its account already reads the database.
        app.UseDatabaseTroubleAnswers(IsApi);

        // Friendly error pages for people; API callers get the status code and Problem Details untouched.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseApiProblemResponses(IsApi);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().Add(AllowAnonymousFrameworkEndpoints);
        app.MapAccountEndpoints();
        app.MapThemePreference();
        app.MapDatasetEndpoints();
        app.MapResourceEndpoints();
        app.MapTrainingEndpoints();
        app.MapMonitoringEndpoints();
        app.MapPredictionEndpoints();
        app.MapRecommendationEndpoints();
        app.MapRecommendationApi();
        app.MapExperimentApi();
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Migrates (when configured), makes sure the roles exist, and seeds demo accounts in Development; the starter
    /// resource catalog in Development or when <c>Resources:SeedStarterCatalog</c> asks for it.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (options.MigrateOnStartup)
        {
            await sp.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        }

        await sp.GetRequiredService<UserAdministration>().EnsureRolesAsync();
        if (app.Environment.IsDevelopment())
        {
            var created = await sp.GetRequiredService<DemoAccountSeeder>().SeedAsync();
            if (created.Count > 0)
            {
                // Printed once, when the accounts are created: they are for local demos only.
                Console.WriteLine();
                Console.WriteLine("Demo accounts created (Development only; these passwords are shown once):");
                foreach (var (email, role, password) in created)
                {
                    Console.WriteLine($"  {role,-8} {email,-28} {password}");
                }

                Console.WriteLine();
            }
        }

        if (app.Environment.IsDevelopment() || sp.GetRequiredService<IOptions<ResourceOptions>>().Value.SeedStarterCatalog)
        {
            await sp.GetRequiredService<StarterCatalogSeeder>().SeedAsync(app.Lifetime.ApplicationStopping);
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = app.Urls.Count > 0 ? string.Join(", ", app.Urls) : "(see ASPNETCORE_URLS)";
            Console.WriteLine($"StudyRecs is running at {urls}");
        });
    }

    /// <summary>
    /// The component endpoints the framework adds itself (the not-found fallback and the opaque redirect helper)
    /// carry no page of ours; every page endpoint keeps the policy its component declares.
    /// </summary>
    private static void AllowAnonymousFrameworkEndpoints(EndpointBuilder endpoint)
    {
        // The live pages' connection (/_blazor) is open to anyone, as in the framework's template: the pages behind it
        // keep their own [Authorize] and are checked again inside the connection; the not-found page runs live for all.
        var route = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? "";
        if (route.StartsWith("/_blazor", StringComparison.Ordinal)
            || (endpoint.DisplayName is { } name && (name.StartsWith("Fallback ", StringComparison.Ordinal) || name == "Blazor Opaque Redirection")))
        {
            endpoint.Metadata.Add(new AllowAnonymousAttribute());
        }
    }

    /// <summary>Paths answered with JSON and status codes: everything under /api, and the admin recommendation APIs.</summary>
    private static bool IsApi(PathString path) => path.StartsWithSegments("/api") || RecommendationApi.IsAdminApi(path);

    private static void ConfigureCookie(Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions o)
    {
        o.Cookie.Name = "studyrecs.auth";
        o.Cookie.HttpOnly = PortalCookiePolicy.HttpOnly;
        o.Cookie.SameSite = PortalCookiePolicy.SameSite;
        o.Cookie.SecurePolicy = PortalCookiePolicy.SecurePolicy;
        o.LoginPath = "/account/login";
        o.LogoutPath = "/account/logout";
        o.AccessDeniedPath = "/account/access-denied";
        o.SlidingExpiration = true;
        o.ExpireTimeSpan = TimeSpan.FromHours(8);
        // Scripts calling the API get status codes, not an HTML login page.
        o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
        o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden);
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        if (IsApi(ctx.Request.Path))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
