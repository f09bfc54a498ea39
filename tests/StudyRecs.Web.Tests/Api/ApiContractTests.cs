using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Api;

/// <summary>
/// The contract every <c>/api</c> answer keeps: snake_case names (Identity's <c>/api/auth</c> keeps its camelCase),
/// Problem Details on every error path, hostile requests included, and an OpenAPI document that follows the code.
/// </summary>
public sealed partial class ApiContractTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    [GeneratedRegex("^[a-z0-9]+(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>Every property name in the document, at any depth.</summary>
    private static IEnumerable<string> Names(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Names(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Names),
        _ => [],
    };

    private static void AssertSnakeCase(JsonElement element, params string[] expected)
    {
        var names = Names(element).Distinct().ToList();
        Assert.All(names, n => Assert.Matches(SnakeCase(), n));
        Assert.All(expected, e => Assert.Contains(e, names));
    }

    private static int FirstStudent() => Random.Shared.Next(100_000, 900_000);

    private static async Task<long> UploadAsync(HttpClient teacher)
    {
        var created = await JsonAsync(await teacher.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(4, seed: 5, FirstStudent())), HttpStatusCode.Created);
        AssertSnakeCase(created, "file_name", "valid_rows", "too_small_to_train", "uploaded_at", "overlapping_rows", "report", "problem_counts", "total_rows");
        return created.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Dataset_and_training_answers_name_every_field_in_snake_case()
    {
        var teacher = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var id = await UploadAsync(teacher);

        AssertSnakeCase(await JsonAsync(await teacher.GetAsync($"/api/datasets/{id}"), HttpStatusCode.OK), "file_name", "size_bytes", "labelled_rows", "rows_with_warnings");
        var list = await JsonAsync(await teacher.GetAsync("/api/datasets"), HttpStatusCode.OK);
        AssertSnakeCase(list, "total", "items", "file_name", "uploader_name", "warning_count");
        AssertSnakeCase(await JsonAsync(await teacher.GetAsync("/api/datasets/counts"), HttpStatusCode.OK), "awaiting_training", "uploaded");
        AssertSnakeCase(await JsonAsync(await teacher.PostAsync($"/api/datasets/{id}/archive?reason=contract", null), HttpStatusCode.OK), "id", "message");

        long runId;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            var run = new TrainingRun
            {
                TriggeredBy = "contract test",
                Status = TrainingRunStatus.Failed,
                Step = "done",
                CandidateCount = 2,
                StartedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                FinishedAt = DateTimeOffset.UtcNow,
                Error = "stopped by the test",
                ResultSummary = "none",
            };
            db.Add(run);
            await db.SaveChangesAsync();
            runId = run.Id;
        }

        var polled = await JsonAsync(await teacher.GetAsync($"/api/training/runs/{runId}"), HttpStatusCode.OK);
        AssertSnakeCase(polled, "candidate_index", "candidate_count", "started_at", "finished_at", "result_summary");
        Assert.Equal("Failed", polled.GetProperty("status").GetString());
        Assert.Equal("stopped by the test", polled.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Identity_sign_in_endpoints_keep_their_camel_case()
    {
        var (email, password) = await Factory.CreateUserAsync(Roles.Teacher);
        var client = Factory.CreateClient();
        var login = await JsonAsync(await client.PostAsJsonAsync("/api/auth/login", new { email, password }), HttpStatusCode.OK);
        foreach (var name in new[] { "tokenType", "accessToken", "expiresIn", "refreshToken" })
        {
            Assert.True(login.TryGetProperty(name, out _), name);
        }

        client.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());
        var info = await JsonAsync(await client.GetAsync("/api/auth/manage/info"), HttpStatusCode.OK);
        Assert.Equal(email, info.GetProperty("email").GetString());
        Assert.True(info.TryGetProperty("isEmailConfirmed", out _), info.ToString());

        var refreshed = await JsonAsync(await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.GetProperty("refreshToken").GetString() }), HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(refreshed.GetProperty("accessToken").GetString()));
    }

    [Fact]
    public async Task Refused_callers_get_problem_details_not_an_empty_answer()
    {
        var anonymous = Factory.CreateBrowserlessClient();
        var student = await Factory.SignInWithBearerTokenAsync(Roles.Student, "S-" + Guid.NewGuid().ToString("N")[..8]);
        var teacher = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var cookieTeacher = await Factory.SignInAsync(Roles.Teacher);

        await ProblemAsync(await anonymous.GetAsync("/api/datasets"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await anonymous.PostAsync("/api/predict", JsonContent.Create(new { semester = 1 })), HttpStatusCode.Unauthorized);
        await ProblemAsync(await anonymous.GetAsync("/admin/recommendations/models"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await student.GetAsync("/api/datasets"), HttpStatusCode.Forbidden);
        await ProblemAsync(await student.GetAsync("/api/v1/recommendations/stats/user/S-someone-else"), HttpStatusCode.Forbidden);
        await ProblemAsync(await teacher.PostAsync("/api/training/models/regression/unpin?reason=x", null), HttpStatusCode.Forbidden);
        await ProblemAsync(await cookieTeacher.GetAsync("/admin/recommendations/models"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Unknown_ids_and_other_teachers_datasets_answer_404_problem_details()
    {
        var owner = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var other = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var admin = await Factory.SignInWithBearerTokenAsync(Roles.Admin);
        var id = await UploadAsync(owner);

        await ProblemAsync(await other.GetAsync($"/api/datasets/{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await other.GetAsync($"/api/datasets/{id}/report.csv"), HttpStatusCode.NotFound);
        await ProblemAsync(await other.PostAsync($"/api/datasets/{id}/archive", null), HttpStatusCode.Forbidden);
        await ProblemAsync(await owner.GetAsync("/api/datasets/999999999"), HttpStatusCode.NotFound);
        await ProblemAsync(await owner.GetAsync("/api/training/runs/999999999"), HttpStatusCode.NotFound);
        await ProblemAsync(await admin.PostAsync("/api/training/models/no-such-task/unpin?reason=x", null), HttpStatusCode.NotFound);
        await ProblemAsync(await admin.PostAsync("/api/training/models/regression/99999999999999/activate?reason=x", null), HttpStatusCode.NotFound);

        // An address no endpoint matches falls to the portal's fallback policy, which knows the cookie only.
        var cookieTeacher = await Factory.SignInAsync(Roles.Teacher);
        await ProblemAsync(await cookieTeacher.GetAsync("/api/no-such-address"), HttpStatusCode.NotFound);
        await ProblemAsync(await cookieTeacher.PutAsync("/api/datasets", new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.MethodNotAllowed);

        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/datasets/{id}")).StatusCode);
    }

    public static TheoryData<string, string, string, HttpStatusCode> HostileBodies => new()
    {
        { "/api/predict", "{\"semester\": 3, \"subject\": ", "application/json", HttpStatusCode.BadRequest },
        { "/api/predict", "[[[[[[[[[[[[1]]]]]]]]]]]]", "application/json", HttpStatusCode.BadRequest },
        { "/api/predict", "semester=3&subject=Math", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType },
        { "/api/predict", "{\"semester\": \"three\", \"subject\": 7, \"hack\": true}", "application/json", HttpStatusCode.BadRequest },
        { "/api/recommendations/events", "{\"resource_id\": ", "application/json", HttpStatusCode.BadRequest },
        { "/api/recommendations/events", "<event/>", "text/xml", HttpStatusCode.UnsupportedMediaType },
        { "/api/recommendations/events", "{\"resource_id\": -1, \"type\": \"nope\", \"request_id\": \"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "/api/datasets", "{\"file\": \"grades.csv\"}", "application/json", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task Hostile_bodies_get_problem_details_and_store_nothing(string path, string body, string contentType, HttpStatusCode expected)
    {
        var teacher = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var before = await StoredAsync();

        var problem = await ProblemAsync(await teacher.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType)), expected);

        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_snake_case_answers_and_their_problems()
    {
        var document = await JsonAsync(await Factory.CreateClient().GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var dataset = schemas.GetProperty("DatasetResponse").GetProperty("properties");
        Assert.True(dataset.TryGetProperty("file_name", out _), dataset.ToString());
        Assert.False(dataset.TryGetProperty("fileName", out _), dataset.ToString());
        Assert.True(schemas.GetProperty("TrainingRunResponse").GetProperty("properties").TryGetProperty("candidate_count", out _));

        var run = document.GetProperty("paths").GetProperty("/api/training/runs/{id}").GetProperty("get").GetProperty("responses");
        Assert.True(run.GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _), run.ToString());
        Assert.True(run.GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _), run.ToString());
        var predict = document.GetProperty("paths").GetProperty("/api/predict").GetProperty("post");
        Assert.True(predict.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), predict.ToString());
        Assert.True(predict.GetProperty("responses").TryGetProperty("415", out _), predict.ToString());
        var upload = document.GetProperty("paths").GetProperty("/api/datasets").GetProperty("post").GetProperty("responses");
        Assert.True(upload.TryGetProperty("201", out _), upload.ToString());
        Assert.True(upload.TryGetProperty("409", out _), upload.ToString());
    }

    private async Task<(int Datasets, int Events, int Audits)> StoredAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        return (db.Set<StudyRecs.Core.Datasets.UploadedDataset>().Count(), db.Set<StudyRecs.Core.Recommendations.RecommendationEvent>().Count(),
            db.Set<StudyRecs.Core.Predictions.PredictionLog>().Count());
    }
}
