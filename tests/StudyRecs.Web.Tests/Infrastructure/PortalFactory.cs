using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;

namespace StudyRecs.Web.Tests.Infrastructure;

/// <summary>
/// The real portal on a real database: a fresh SQLite file per factory, or a fresh PostgreSQL database
/// when STUDYRECS_TEST_POSTGRES holds a server connection string, or a fresh SQL Server database when
/// STUDYRECS_TEST_SQLSERVER does (that one first; dropped again on dispose).
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>
{
    public const string PostgresVariable = "STUDYRECS_TEST_POSTGRES";

    public const string SqlServerVariable = "STUDYRECS_TEST_SQLSERVER";

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "studyrecs-tests", Guid.NewGuid().ToString("N"));
    private readonly string? serverDatabase;
    private readonly string? postgresServer = Environment.GetEnvironmentVariable(PostgresVariable);
    private readonly string? sqlServer = Environment.GetEnvironmentVariable(SqlServerVariable) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : null;
    private bool keepData;

    public PortalFactory()
    {
        Directory.CreateDirectory(dataDirectory);
        if (sqlServer is not null || !string.IsNullOrWhiteSpace(postgresServer))
        {
            serverDatabase = "studyrecs_test_" + Guid.NewGuid().ToString("N")[..12];
        }
    }

    private PortalFactory(PortalFactory previous)
    {
        dataDirectory = previous.dataDirectory;
        serverDatabase = previous.serverDatabase;
        SqliteOnly = previous.SqliteOnly;
        EnvironmentName = previous.EnvironmentName;
        foreach (var (key, value) in previous.Settings)
        {
            Settings[key] = value;
        }
    }

    public string DataDirectory => dataDirectory;

    /// <summary>Extra settings for this portal (set before the first request).</summary>
    public Dictionary<string, string> Settings { get; } = [];

    /// <summary>The hosting environment (set before the first request); Development seeds the demo accounts.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    /// <summary>Stops this portal and starts another on the same data folder and database, as a restart would.</summary>
    public PortalFactory Restart()
    {
        keepData = true;
        Dispose();
        return new PortalFactory(this);
    }

    public bool UsesPostgres => serverDatabase is not null && sqlServer is null && !SqliteOnly;

    public bool UsesSqlServer => serverDatabase is not null && sqlServer is not null && !SqliteOnly;

    /// <summary>Always SQLite, even when a server database is configured (tests of SQLite's own locking).</summary>
    public bool SqliteOnly { get; init; }

    /// <summary>Replaces or adds portal services for one test (set before the first request), e.g. a fault to inject.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);

        // Every query the portal runs in a test is translated for SQL Server too.
        builder.ConfigureServices(s => s.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(StudyRecs.Tests.Databases.SqlServerQueryCheck.Instance));
        if (TestServices is { } configure)
        {
            builder.ConfigureTestServices(configure);
        }

        builder.UseSetting("Storage:DataDirectory", dataDirectory);
        // The portal checks its configured port is free before it migrates; with nothing configured that is 5000, which
        // another program on the machine may hold. A test portal listens on a free port (or on none at all).
        builder.UseSetting("urls", "http://127.0.0.1:0");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        if (UsesSqlServer)
        {
            builder.UseSetting("Database:Provider", "SqlServer");
            builder.UseSetting("ConnectionStrings:StudyRecs", new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(sqlServer) { InitialCatalog = serverDatabase }.ToString());
        }
        else if (UsesPostgres)
        {
            var cs = new NpgsqlConnectionStringBuilder(postgresServer) { Database = serverDatabase };
            builder.UseSetting("Database:Provider", "Postgres");
            builder.UseSetting("ConnectionStrings:StudyRecs", cs.ToString());
        }
        else
        {
            builder.UseSetting("Database:Provider", "Sqlite");
            builder.UseSetting("ConnectionStrings:StudyRecs", $"Data Source={Path.Combine(dataDirectory, "studyrecs.db")}");
        }
    }

    /// <summary>Runs one query on the database context of a fresh scope, as a request would.</summary>
    public async Task<T> QueryAsync<T>(Func<StudyRecsDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>());
    }

    /// <summary>Waits until no training run is queued or running: archive and delete are refused while one reads a dataset.</summary>
    public async Task WaitForIdleTrainingAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await QueryAsync(db => db.Set<TrainingRun>().AnyAsync(r => r.Status == TrainingRunStatus.Queued || r.Status == TrainingRunStatus.Running)))
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("A training run did not finish within 2 minutes.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Creates an account through the same service the admin pages use.</summary>
    public async Task<(string Email, string Password)> CreateUserAsync(string role, string? studentId = null, string? email = null)
    {
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.local";
        const string password = "Correct-Horse-42";
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .CreateAsync(new NewAccount(email, password, role, studentId, $"Test {role}"));
        Assert.True(result.Succeeded, string.Join(" ", result.Errors));
        return (email, password);
    }

    /// <summary>A client that does not follow redirects, so tests can assert where a response sends the user.</summary>
    public HttpClient CreateBrowserlessClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real login form (antiforgery token included) and returns the client.</summary>
    public async Task<HttpClient> SignInAsync(string role, string? studentId = null)
    {
        var (email, password) = await CreateUserAsync(role, studentId);
        var client = CreateBrowserlessClient();
        var response = await PostFormAsync(client, "/account/login", "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>A client that signs in like a script: POST /api/auth/login, then the bearer token on every request (no cookies).</summary>
    public async Task<HttpClient> SignInWithBearerTokenAsync(string role, string? studentId = null)
    {
        var (email, password) = await CreateUserAsync(role, studentId);
        return await BearerClientForAsync(email, password);
    }

    /// <summary>A bearer-token client (no cookies) of an existing account.</summary>
    public async Task<HttpClient> BearerClientForAsync(string email, string password)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>
    /// Sends the antiforgery token a portal page hands out as a header on every later request, as a script on that
    /// page would; cookie-authenticated API changes need it.
    /// </summary>
    public static async Task<HttpClient> WithAntiforgeryHeaderAsync(HttpClient client)
    {
        var page = new HtmlParser().ParseDocument(await client.GetStringAsync("/account/change-password"));
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException("The change-password page has no antiforgery token.");
        client.DefaultRequestHeaders.Add("RequestVerificationToken", token);
        return client;
    }

    /// <summary>
    /// A generated gradebook (3 subjects, 2 semesters, 6 rows per student) as the upload form's multipart body. Student
    /// ids start at S{<paramref name="firstStudent"/>}: two uploads with the same first student are the same class and
    /// overlap (the API then asks, unless <c>on_overlap</c> is sent).
    /// </summary>
    public static MultipartFormDataContent GeneratedUpload(int students, int seed, int firstStudent = 1)
    {
        var csv = new StringWriter();
        StudyRecs.Core.Datasets.Generation.PerformanceDataGenerator.WriteCsv(
            new StudyRecs.Core.Datasets.Generation.PerformanceDataSpec(students, Subjects: 3, Semesters: 2, Seed: seed, FirstStudent: firstStudent), csv);
        var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv.ToString()));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", $"generated-{seed}.csv" } };
    }

    /// <summary>GETs a page, takes the antiforgery token of the named form and posts the fields.</summary>
    public static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string formName, Dictionary<string, string> fields) =>
        PostFormValuesAsync(client, url, formName, [.. fields.Select(f => (f.Key, f.Value))]);

    /// <summary>Like <see cref="PostFormAsync"/>, for forms that send one name several times (checkbox groups).</summary>
    public static async Task<HttpResponseMessage> PostFormValuesAsync(HttpClient client, string url, string formName, params (string Name, string Value)[] fields)
    {
        var page = await client.GetStringAsync(url);
        var document = new HtmlParser().ParseDocument(page);
        var form = document.QuerySelectorAll("form").FirstOrDefault(f => f.QuerySelector($"input[name=_handler][value='{formName}']") is not null)
            ?? throw new InvalidOperationException($"No form '{formName}' on {url}.");
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"Form '{formName}' on {url} has no antiforgery token.");
        var body = fields.Select(f => KeyValuePair.Create(f.Name, f.Value))
            .Append(KeyValuePair.Create("_handler", formName)).Append(KeyValuePair.Create("__RequestVerificationToken", token));
        return await client.PostAsync(form.GetAttribute("action") is { Length: > 0 } action ? action : url, new FormUrlEncodedContent(body));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!disposing || keepData)
        {
            return;
        }

        if (serverDatabase is not null && sqlServer is not null)
        {
            Microsoft.Data.SqlClient.SqlConnection.ClearAllPools();
            using var connection = new Microsoft.Data.SqlClient.SqlConnection(sqlServer);
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = $"IF DB_ID(N'{serverDatabase}') IS NOT NULL BEGIN ALTER DATABASE [{serverDatabase}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{serverDatabase}]; END";
            drop.ExecuteNonQuery();
        }
        else if (serverDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(postgresServer);
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP DATABASE IF EXISTS \"{serverDatabase}\" WITH (FORCE)";
            drop.ExecuteNonQuery();
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS is left for the temp cleaner; it never affects another test.
        }
    }
}
