using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Predictions;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Predictions;

/// <summary>A portal with two trained model versions (two uploads), shared by the forecast tests.</summary>
public sealed class TrainedPortalFixture : IAsyncLifetime
{
    public PortalFactory Factory { get; } = new();

    /// <summary>A student id of the generated gradebooks.</summary>
    public string StudentId { get; private set; } = "";

    public long DatasetId { get; private set; }

    /// <summary>The teacher who uploaded the gradebooks (teachers see their own datasets).</summary>
    public HttpClient Uploader { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Factory.Settings["Datasets:MinimumLabelledRowsToTrain"] = "200";
        Factory.Settings["Training:CvFolds"] = "3";
        // The engine's candidates only, as in Core's shared training fixture (ML.NET's winners have their own tests):
        // with ML.NET's candidates in this grid the study-plan test saw a forecast's at-risk flag differ between two
        // reads of the same student (under investigation, see the session note).
        Factory.Settings["Training:Libraries:0"] = "studyrecs";
        Factory.Settings["Predictions:RefreshSeconds"] = "0.5";
        Factory.Settings["RateLimiting:Predict:TokenLimit"] = "1000";
        Factory.Settings["Resources:SeedStarterCatalog"] = "true";
        var teacher = Uploader = await PortalFactory.WithAntiforgeryHeaderAsync(await Factory.SignInAsync(Roles.Teacher));
        for (var seed = 1; seed <= 2; seed++)
        {
            var csv = new StringWriter();
            PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(45, Subjects: 3, Semesters: 2, Seed: seed), csv);
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString()));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            // The same class uploaded again with new marks: its rows replace the first upload's in training.
            var response = await teacher.PostAsync("/api/datasets", new MultipartFormDataContent { { file, "file", $"term-{seed}.csv" }, { new StringContent("replace"), "on_overlap" } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            await WaitForTrainingAsync(seed);
        }

        // Serve the versions the second training activated before any test reads a forecast: the watcher would
        // within Predictions:RefreshSeconds, but a test that compares two forecasts must not straddle the switch.
        await Factory.Services.GetRequiredService<ActiveModels>().RefreshAsync(CancellationToken.None);
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        DatasetId = await db.Set<UploadedDataset>().MaxAsync(d => d.Id);
        StudentId = await db.Set<DatasetRow>().Where(r => r.DatasetId == DatasetId).OrderBy(r => r.RowNumber).Select(r => r.StudentId).FirstAsync();
    }

    private async Task WaitForTrainingAsync(int versions)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (DateTime.UtcNow < deadline)
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
            var runs = await registry.RecentRunsAsync(10, TrainingRunKind.Grades, CancellationToken.None);
            Assert.DoesNotContain(runs, r => r.Status == TrainingRunStatus.Failed);
            if ((await registry.ListAsync(ModelTask.Classification, CancellationToken.None)).Count >= versions && runs.All(r => r.Status == TrainingRunStatus.Succeeded))
            {
                return;
            }

            await Task.Delay(300);
        }

        throw new TimeoutException("Training did not finish within 4 minutes.");
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PredictionFlowTests(TrainedPortalFixture portal) : IClassFixture<TrainedPortalFixture>
{
    private const string ValidBody = """{"semester": 2, "subject": "Algorithms", "assignment_marks": 62, "quiz_marks": 55, "attendance_percentage": 71, "midterm_marks": 48, "previous_cgpa": 2.7}""";

    private PortalFactory Factory => portal.Factory;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<string> SubjectOfAsync(string studentId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>()
            .Where(r => r.StudentId == studentId).OrderByDescending(r => r.Semester).Select(r => r.Subject).FirstAsync();
    }

    private async Task<string> OtherStudentWithSubjectAsync(string studentId, string subject)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>()
            .Where(r => r.DatasetId == portal.DatasetId && r.StudentId != studentId && r.Subject == subject)
            .OrderBy(r => r.RowNumber).Select(r => r.StudentId).FirstAsync();
    }

    private async Task<HttpClient> BearerClientAsync(string role, string? studentId = null)
    {
        var (email, password) = await Factory.CreateUserAsync(role, studentId);
        var client = Factory.CreateClient();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", token.RootElement.GetProperty("tokenType").GetString());
        Assert.True(token.RootElement.GetProperty("expiresIn").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(token.RootElement.GetProperty("refreshToken").GetString()));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
        return client;
    }

    [Fact]
    public async Task A_script_signs_in_with_a_bearer_token_and_gets_a_full_forecast_logged_for_audit()
    {
        var client = await BearerClientAsync(Roles.Teacher);
        var response = await client.PostAsync("/api/predict", Json(ValidBody));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;

        var marks = root.GetProperty("predicted_final_marks").GetDouble();
        Assert.InRange(marks, 0, 100);
        var interval = root.GetProperty("interval");
        Assert.True(interval.GetProperty("low").GetDouble() <= marks && marks <= interval.GetProperty("high").GetDouble());
        var probabilities = root.GetProperty("grade_probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(1.0, probabilities.Values.Sum(), 2);
        Assert.Equal(GradeScale.Default.GradeFor(marks), root.GetProperty("predicted_grade").GetString());
        var factors = root.GetProperty("top_factors").EnumerateArray().ToList();
        Assert.NotEmpty(factors);
        Assert.All(factors, f => Assert.Matches(@"(raised|lowered) the forecast by \d+\.\d marks", f.GetProperty("text").GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("weak_subjects").ValueKind);
        var requestId = root.GetProperty("request_id").GetString()!;

        await using var scope = Factory.Services.CreateAsyncScope();
        var active = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ActiveVersionsAsync(CancellationToken.None);
        Assert.Equal(active[ModelTask.Regression], root.GetProperty("model_versions").GetProperty("regression").GetString());
        Assert.Equal(active[ModelTask.Classification], root.GetProperty("model_versions").GetProperty("classification").GetString());

        // The audit row is written off the request path, shortly after.
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        PredictionLog? log = null;
        for (var i = 0; i < 50 && log is null; i++)
        {
            log = await db.Set<PredictionLog>().AsNoTracking().SingleOrDefaultAsync(p => p.RequestId == requestId);
            await Task.Delay(100);
        }

        Assert.NotNull(log);
        Assert.Equal("Algorithms", log.Subject);
        Assert.Contains("\"attendance_percentage\": 71", log.InputJson, StringComparison.Ordinal);
        Assert.True(log.LatencyMs > 0);

        // The audit page (live: its grid pages in the database once connected) lists the request.
        await using (var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "auditor@test.local"))
        {
            ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("admin/predictions?subject=Algorithms");
            var audit = ctx.Render<PredictionAudit>();
            await audit.WaitForAssertionAsync(() => Assert.Contains(requestId[..8], audit.Find(".audit-grid").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        }

        var admin = await Factory.SignInAsync(Roles.Admin);
        var badDate = await Html.GetAsync(admin, "/admin/predictions?from=yesterday");
        Assert.Contains("is not a date like", badDate.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_answered_forecast_of_a_burst_is_audited_once_with_the_bytes_it_answered()
    {
        // Teacher and student tokens, many calls at once: each is read once a period, each answer still logged.
        var teacher = await BearerClientAsync(Roles.Teacher);
        // A student of the dataset no other test signs in as (an id links to one account only).
        string studentId;
        await using (var lookup = Factory.Services.CreateAsyncScope())
        {
            studentId = await lookup.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>()
                .Where(r => r.DatasetId == portal.DatasetId).OrderByDescending(r => r.RowNumber).Select(r => r.StudentId).FirstAsync();
        }

        Assert.NotEqual(portal.StudentId, studentId);
        var student = await BearerClientAsync(Roles.Student, studentId);
        var answered = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(Enumerable.Range(0, 60), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var body = $$"""{"semester": {{1 + (i % 2)}}, "subject": "Algorithms", "attendance_percentage": {{40 + i}}, "midterm_marks": {{i}}}""";
            var response = await (i % 3 == 0 ? student : teacher).PostAsync("/api/predict", Json(body), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync(ct);
            var requestId = response.Headers.GetValues("X-Request-Id").Single();
            Assert.True(answered.TryAdd(requestId, text));
        });

        // Stored off the request path, shortly after: wait until all have arrived (or give up and report what is missing).
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var ids = answered.Keys.ToList();
        List<PredictionLog> logs = [];
        for (var i = 0; i < 100 && logs.Count < ids.Count; i++)
        {
            logs = await db.Set<PredictionLog>().AsNoTracking().Where(p => ids.Contains(p.RequestId)).ToListAsync();
            if (logs.Count < ids.Count)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), logs.Select(l => l.RequestId).Order(StringComparer.Ordinal));
        Assert.All(logs, l => Assert.Equal(answered[l.RequestId], l.OutputJson));
        Assert.Equal(20, logs.Count(l => l.StudentId == studentId));
    }

    [Theory]
    [InlineData("""{"semester": 2, "subject": "Algorithms", "shoe_size": 44}""", "shoe_size")]
    [InlineData("""{"semester": "two", "subject": "Algorithms"}""", "semester")]
    [InlineData("""{"semester": 2, "subject": "Algorithms", "attendance_percentage": 140}""", "attendance_percentage")]
    [InlineData("""{"semester": 2, "subject": "Algorithms", "quiz_marks": "55"}""", "quiz_marks")]
    [InlineData("""{"semester": 2, "subject": "Algorithms", "previous_cgpa": -1}""", "previous_cgpa")]
    [InlineData("""{"semester": 2}""", "subject")]
    [InlineData("""{"subject": "Algorithms"}""", "semester")]
    [InlineData("""{"semester": 2, "subject": ""}""", "subject")]
    [InlineData("""[1, 2, 3]""", "$")]
    public async Task Invalid_fields_are_refused_with_problem_details_naming_them(string body, string field)
    {
        var client = await Factory.SignInAsync(Roles.Teacher);
        var response = await client.PostAsync("/api/predict", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("errors").TryGetProperty(field, out var messages), $"no error for {field}");
        Assert.NotEmpty(messages.EnumerateArray().First().GetString()!);
    }

    [Fact]
    public async Task Malformed_requests_get_clear_answers_and_nothing_is_logged()
    {
        var client = await Factory.SignInAsync(Roles.Teacher);
        var notJson = await client.PostAsync("/api/predict", Json("{\"semester\": 2, "));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("not valid JSON", await notJson.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var form = await client.PostAsync("/api/predict", new StringContent("semester=2", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);

        var anonymous = await Factory.CreateClient().PostAsync("/api/predict", Json(ValidBody));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var forged = Factory.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.PostAsync("/api/predict", Json(ValidBody))).StatusCode);

        // Self-service account routes of the Identity API are closed: administrators create accounts.
        var register = await Factory.CreateClient().PostAsJsonAsync("/api/auth/register", new { email = "x@test.local", password = "Correct-Horse-42" });
        Assert.Equal(HttpStatusCode.NotFound, register.StatusCode);
        var wrongPassword = await Factory.CreateClient().PostAsJsonAsync("/api/auth/login", new { email = "nobody@test.local", password = "nope" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
    }

    [Fact]
    public async Task An_unknown_subject_is_forecast_with_a_warning()
    {
        var client = await Factory.SignInAsync(Roles.Teacher);
        var response = await client.PostAsync("/api/predict", Json("""{"semester": 1, "subject": "Underwater Basket Weaving", "attendance_percentage": 90}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("were not trained on 'Underwater Basket Weaving'", text, StringComparison.Ordinal);
        Assert.Contains("quiz_marks: not given", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subject_name_outside_ascii_is_answered_and_audited_as_written_with_snake_case_fields()
    {
        var client = await BearerClientAsync(Roles.Teacher);
        var response = await client.PostAsync("/api/predict", Json("""{"semester": 1, "subject": "Économie appliquée", "attendance_percentage": 90}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"subject\":\"Économie appliquée\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", text, StringComparison.Ordinal);
        using (var answer = JsonDocument.Parse(text))
        {
            var names = answer.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(
                ["request_id", "subject", "predicted_final_marks", "interval", "predicted_grade", "grade_probabilities", "fail_probability", "at_risk",
                    "top_factors", "not_known_yet", "weak_subjects", "study_plan", "model_versions", "warnings"],
                names);
        }

        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        PredictionLog? log = null;
        for (var i = 0; i < 100 && log is null; i++)
        {
            log = await db.Set<PredictionLog>().AsNoTracking().SingleOrDefaultAsync(p => p.RequestId == requestId);
            if (log is null)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(log);
        Assert.Equal(text, log.OutputJson);
        Assert.Equal("Économie appliquée", log.Subject);
    }

    [Fact]
    public async Task Each_user_has_a_token_bucket_and_gets_429_with_retry_after()
    {
        using var limited = new PortalFactory();
        limited.Settings["RateLimiting:Predict:TokenLimit"] = "3";
        limited.Settings["RateLimiting:Predict:TokensPerPeriod"] = "1";
        limited.Settings["RateLimiting:Predict:PeriodSeconds"] = "60";
        var first = await limited.SignInAsync(Roles.Teacher);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await first.PostAsync("/api/predict", Json(ValidBody));
            statuses.Add(last.StatusCode);
        }

        // No model on this portal: the first three are answered (503, no model yet), the fourth is throttled.
        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(last!.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("Try again in", await last.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another user still has a full bucket.
        var second = await limited.SignInAsync(Roles.Teacher);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await second.PostAsync("/api/predict", Json(ValidBody))).StatusCode);

        // Before any model exists, bad fields are still named (400); a field only a future model could know is not judged.
        var bad = await second.PostAsync("/api/predict", Json("""{"semester": 0, "subject": "Algorithms", "quiz_marks": "high"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()))
        {
            var errors = problem.RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty("semester", out _));
            Assert.True(errors.TryGetProperty("quiz_marks", out _));
        }

        var extra = await second.PostAsync("/api/predict", Json("""{"semester": 2, "subject": "Algorithms", "study_hours": 4}"""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, extra.StatusCode);
    }

    [Fact]
    public async Task A_student_sees_their_own_forecasts_weak_subjects_and_plan_and_nobody_elses()
    {
        var student = await Factory.SignInAsync(Roles.Student, portal.StudentId);
        var dashboard = await Html.GetAsync(student, "/student");
        var main = dashboard.QuerySelector("main")!;
        Assert.NotEmpty(dashboard.QuerySelectorAll(".forecast-card"));
        Assert.NotEmpty(dashboard.QuerySelectorAll(".grade-bars li"));
        Assert.Contains("Weak subjects", main.TextContent, StringComparison.Ordinal);

        // Aiming for the top grade makes every subject below it weak (saving it on the page: StudentDashboardTargetTests).
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<StudentForecasts>().SetTargetGradeAsync(portal.StudentId, "A+", CancellationToken.None));
        }

        var afterTarget = await Html.GetAsync(student, "/student");
        Assert.Contains("target grade A+", afterTarget.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(afterTarget.QuerySelectorAll("#plan-heading"));
        // On the student's own dashboard the plan's resources are recommendations: links count the click, then redirect.
        Assert.NotEmpty(afterTarget.QuerySelectorAll("section[aria-labelledby=plan-heading] .plan-card a[href^='/recommendations/go/']"));

        // The API gives a student their weak subjects, from their own data.
        var api = await student.PostAsync("/api/predict", Json(ValidBody));
        using (var doc = JsonDocument.Parse(await api.Content.ReadAsStringAsync()))
        {
            Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("weak_subjects").ValueKind);
            Assert.NotEmpty(doc.RootElement.GetProperty("weak_subjects").EnumerateArray());
        }

        // What-if: the form's query string moves the forecast; bad values get a message.
        var subject = await SubjectOfAsync(portal.StudentId);
        var whatIfUrl = $"/forecasts/{portal.StudentId}/{Uri.EscapeDataString(subject)}";
        var whatIf = await Html.GetAsync(student, whatIfUrl + "?attendance_percentage=100&midterm_marks=100&assignment_marks=100&quiz_marks=100");
        Assert.Contains("With these values the forecast moves from", whatIf.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        var invalid = await Html.GetAsync(student, whatIfUrl + "?attendance_percentage=lots");
        Assert.Contains("Enter a number from 0 to", invalid.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        // Someone else's forecast, and the staff pages, are out of reach. The other student is real: the uploader
        // sees the very page the student is refused.
        var otherId = await OtherStudentWithSubjectAsync(portal.StudentId, subject);
        var otherUrl = $"/forecasts/{otherId}/{Uri.EscapeDataString(subject)}";
        Assert.NotEmpty((await Html.GetAsync(portal.Uploader, otherUrl)).QuerySelectorAll(".forecast-card"));
        var other = await student.GetAsync(otherUrl);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.DoesNotContain("forecast-card", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("/account/access-denied", Redirects.LocalTarget(await student.GetAsync($"/students/{otherId}")), StringComparison.Ordinal);
        Assert.Contains("/account/access-denied", Redirects.LocalTarget(await student.GetAsync("/teacher/at-risk")), StringComparison.Ordinal);
    }

    /// <summary>The rules of one coherent forecast: the grade is the band of the marks shown, and the median of the grade probabilities (best first).</summary>
    private static void AssertCoherent(double marks, string? grade, IReadOnlyList<KeyValuePair<string, double>>? bestFirst, string where)
    {
        Assert.True(GradeScale.Default.GradeFor(marks) == grade, $"{where}: {marks} marks shown with grade {grade}");
        if (bestFirst is not null)
        {
            Assert.Equal(GradeScale.Default.Labels, bestFirst.Select(p => p.Key));
            Assert.Equal(grade, CoherentGrades.Median([.. bestFirst.Select(p => new GradeProbability(p.Key, p.Value))]));
            Assert.Equal(grade, CoherentGrades.Median([.. bestFirst.Reverse().Select(p => new GradeProbability(p.Key, p.Value))]));
        }
    }

    [Fact]
    public async Task Every_forecast_agrees_with_itself_in_the_api_the_at_risk_export_and_the_pages()
    {
        var client = await BearerClientAsync(Roles.Teacher);
        string[] subjects;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            subjects = [.. await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().Select(r => r.Subject).Distinct().ToListAsync(), "Astrology"];
        }

        var rng = new Random(19);
        for (var i = 0; i < 800; i++)
        {
            var body = new Dictionary<string, object?> { ["semester"] = rng.Next(1, 7), ["subject"] = subjects[rng.Next(subjects.Length)] };
            foreach (var key in new[] { "assignment_marks", "quiz_marks", "attendance_percentage", "midterm_marks" })
            {
                body[key] = rng.NextDouble() < 0.8 ? Math.Round(rng.NextDouble() * 100, 1) : null;
            }

            body["previous_cgpa"] = rng.NextDouble() < 0.8 ? Math.Round(rng.NextDouble() * 4, 2) : null;
            var response = await client.PostAsJsonAsync("/api/predict", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = doc.RootElement;
            var probabilities = root.GetProperty("grade_probabilities").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetDouble())).ToList();
            AssertCoherent(root.GetProperty("predicted_final_marks").GetDouble(), root.GetProperty("predicted_grade").GetString(), probabilities, $"POST /api/predict {JsonSerializer.Serialize(body)}");
            var factors = root.GetProperty("top_factors").EnumerateArray().Select(f => f.GetProperty("text").GetString()!).ToList();
            Assert.DoesNotContain(factors, f => f.Contains("not known", StringComparison.Ordinal) || f.Contains("Astrology", StringComparison.Ordinal));
            var notKnown = root.GetProperty("not_known_yet").EnumerateArray().Select(n => n.GetString()).ToList();
            Assert.Equal(body["midterm_marks"] is null, notKnown.Contains("midterm marks"));
        }

        var csv = await portal.Uploader.GetAsync($"/teacher/at-risk.csv?dataset={portal.DatasetId}&risk=all&semester=all");
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.True(lines.Count >= 100, $"{lines.Count} rows exported");
        foreach (var line in lines)
        {
            var cells = line.Split(',');
            AssertCoherent(double.Parse(cells[3], System.Globalization.CultureInfo.InvariantCulture), cells[4], null, "at-risk export: " + line);
        }

        var page = await Html.GetAsync(portal.Uploader, $"/students/{portal.StudentId}");
        var cards = page.QuerySelectorAll(".forecast-card");
        Assert.NotEmpty(cards);
        foreach (var card in cards)
        {
            var figures = card.QuerySelectorAll(".stat-value").Select(v => v.TextContent.Trim()).ToList();
            AssertCoherent(double.Parse(figures[0], System.Globalization.CultureInfo.InvariantCulture), figures[1], null, "student page card " + card.QuerySelector("h3")!.TextContent);
        }
    }

    [Fact]
    public async Task Teachers_list_students_at_risk_sort_filter_drill_down_and_export_safe_csv()
    {
        var teacher = portal.Uploader;
        var all = await Html.GetAsync(teacher, $"/teacher/at-risk?dataset={portal.DatasetId}&risk=all&sort=marks&dir=asc&view=rows&semester=all");
        var rows = all.QuerySelectorAll("tbody tr");
        Assert.Equal(50, rows.Length);
        var marks = rows.Select(r => double.Parse(r.QuerySelectorAll("td")[3].TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(marks.Order().ToList(), marks);
        var studentLink = rows[0].QuerySelector("td a")!.GetAttribute("href")!;
        Assert.StartsWith("students/", studentLink, StringComparison.Ordinal);
        var drill = await Html.GetAsync(teacher, "/" + studentLink);
        Assert.NotEmpty(drill.QuerySelectorAll(".forecast-card"));

        var subject = await SubjectOfAsync(portal.StudentId);
        var csv = await teacher.GetAsync($"/teacher/at-risk.csv?dataset={portal.DatasetId}&risk=all&semester=all&subject={Uri.EscapeDataString(subject)}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("student_id,subject,semester,predicted_final_marks,predicted_grade,fail_probability,at_risk,final_marks", lines[0]);
        Assert.True(lines.Length > 1);
        Assert.All(lines.Skip(1), l => Assert.Contains("," + subject + ",", l, StringComparison.Ordinal));

        // Another teacher's dataset is not exported; a missing one neither.
        var otherTeacher = await Factory.SignInAsync(Roles.Teacher);
        Assert.Equal(HttpStatusCode.NotFound, (await otherTeacher.GetAsync($"/teacher/at-risk.csv?dataset={portal.DatasetId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await teacher.GetAsync("/teacher/at-risk.csv?dataset=abc")).StatusCode);
    }

    private static List<(string Student, int Semester, double Marks, int ChanceOfFailing)> AtRiskRows(IRenderedComponent<Web.Features.Predictions.AtRisk> page) =>
        [.. page.FindAll(".at-risk-table tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList())
            .Select(c => (c[0], int.Parse(c[2], CultureInfo.InvariantCulture), double.Parse(c[3], CultureInfo.InvariantCulture), int.Parse(c[5].TrimEnd('%'), CultureInfo.InvariantCulture)))];

    [Fact]
    public async Task At_risk_list_follows_semester_threshold_and_sort_in_the_address_live()
    {
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "at-risk-admin@test.local");
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"teacher/at-risk?dataset={portal.DatasetId}&risk=all&semester=2&sort=marks&dir=asc&view=rows");

        var page = ctx.Render<Web.Features.Predictions.AtRisk>();

        await page.WaitForAssertionAsync(() => Assert.NotEmpty(page.FindAll(".at-risk-table tbody tr")), TimeSpan.FromSeconds(60));
        var rows = AtRiskRows(page);
        Assert.All(rows, r => Assert.Equal(2, r.Semester));
        Assert.Equal(rows.Select(r => r.Marks).Order().ToList(), rows.Select(r => r.Marks).ToList());

        navigation.NavigateTo($"teacher/at-risk?dataset={portal.DatasetId}&risk=at-risk&semester=2&threshold=30&view=rows");
        DatasetForecasts forecasts;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            forecasts = (await scope.ServiceProvider.GetRequiredService<AtRiskReport>().ForDatasetAsync(portal.DatasetId, CancellationToken.None))!;
        }

        var expected = forecasts.Rows.Count(r => r.Semester == 2 && r.FailProbability >= 0.3);
        await page.WaitForAssertionAsync(() => Assert.StartsWith($"{expected:N0} subject row{(expected == 1 ? "" : "s")} at risk", page.Find("p[role=status]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Contains("a chance of failing of at least 30%", page.Find("p[role=status]").TextContent, StringComparison.Ordinal);
        var atRisk = AtRiskRows(page);
        Assert.Equal(Math.Min(expected, 50), atRisk.Count);
        Assert.All(atRisk, r => Assert.True(r.ChanceOfFailing >= 30 && r.Semester == 2, $"{r.Student}: {r.ChanceOfFailing}% in semester {r.Semester}"));
        Assert.Equal(atRisk.Select(r => r.ChanceOfFailing).OrderDescending().ToList(), atRisk.Select(r => r.ChanceOfFailing).ToList());
        Assert.Contains($"threshold=30", page.FindAll("a").Single(a => a.TextContent.Contains("Export CSV", StringComparison.Ordinal)).GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_risk_list_shows_one_line_per_student_of_the_latest_semester_and_finds_a_student()
    {
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "at-risk-admin@test.local");
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"teacher/at-risk?dataset={portal.DatasetId}&risk=all");
        DatasetForecasts forecasts;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            forecasts = (await scope.ServiceProvider.GetRequiredService<AtRiskReport>().ForDatasetAsync(portal.DatasetId, CancellationToken.None))!;
        }

        var page = ctx.Render<Web.Features.Predictions.AtRisk>();

        // The latest semester by default, each student once, with the chance of failing in every subject.
        var latest = forecasts.Rows.Max(r => r.Semester);
        var current = forecasts.Rows.Where(r => r.Semester == latest).ToList();
        var expected = current.Select(r => r.StudentId).Distinct().Count();
        await page.WaitForAssertionAsync(() => Assert.StartsWith($"{expected:N0} student", page.Find(".at-risk-summary").TextContent.Trim(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        Assert.Contains($"in semester {latest} of dataset #{portal.DatasetId}", page.Find(".at-risk-summary").TextContent, StringComparison.Ordinal);
        var listed = page.FindAll(".at-risk-student-grid tbody a[href^='students/']").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(Math.Min(expected, 25), listed.Count);
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Empty(page.FindAll(".at-risk-table"));

        // A search (any case) finds one student; the subjects at risk are theirs in the latest semester, riskiest first.
        var student = current.OrderByDescending(r => r.FailProbability).First().StudentId;
        navigation.NavigateTo($"teacher/at-risk?dataset={portal.DatasetId}&risk=all&q={Uri.EscapeDataString(student.ToLowerInvariant())}");
        await page.WaitForAssertionAsync(() => Assert.StartsWith("1 student", page.Find(".at-risk-summary").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Equal([student], page.FindAll(".at-risk-student-grid tbody a[href^='students/']").Select(a => a.TextContent.Trim()));
        var theirs = current.Where(r => r.StudentId == student && r.AtRisk).OrderByDescending(r => r.FailProbability).Select(r => r.Subject).ToList();
        Assert.Equal(theirs, page.FindAll(".risk-subject").Select(c => c.TextContent.Split(" · ")[0].Trim()));
        Assert.Contains("q=" + Uri.EscapeDataString(student.ToLowerInvariant()), page.FindAll("a").Single(a => a.TextContent.Contains("Export CSV", StringComparison.Ordinal)).GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_risk_page_ignores_nonsense_in_the_address()
    {
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "at-risk-admin@test.local");
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("teacher/at-risk?dataset=-5&semester=x&threshold=500&sort=evil&dir=sideways&risk=all&view=rows");

        var page = ctx.Render<Web.Features.Predictions.AtRisk>();

        await page.WaitForAssertionAsync(() => Assert.NotEmpty(page.FindAll(".at-risk-table tbody tr")), TimeSpan.FromSeconds(60));
        var rows = AtRiskRows(page);
        Assert.Equal(rows.Select(r => r.ChanceOfFailing).OrderDescending().ToList(), rows.Select(r => r.ChanceOfFailing).ToList());
        var options = Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PredictionOptions>>().Value;
        Assert.Contains($"at least {Web.Features.Predictions.ForecastCard.Percent(options.AtRiskProbability)}", page.Find("p[role=status]").TextContent, StringComparison.Ordinal);
        Assert.Contains($"of dataset #{portal.DatasetId}", page.Find("p[role=status]").TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await portal.Uploader.GetAsync("/teacher/at-risk?dataset=-5&semester=x&threshold=500&sort=evil&dir=sideways&view=%00&q=" + new string('S', 5000))).StatusCode);
    }

    [Fact]
    public async Task A_teacher_without_uploads_sees_no_one_elses_students_at_risk()
    {
        var (ctx, _) = await Datasets.DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"teacher/at-risk?dataset={portal.DatasetId}&risk=all");

        var page = ctx.Render<Web.Features.Predictions.AtRisk>();

        await page.WaitForAssertionAsync(() => Assert.Contains("No accepted dataset yet", page.Find(".empty-state").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll(".at-risk-table"));
        Assert.DoesNotContain(portal.StudentId, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forecasts_follow_an_admin_rollback_within_seconds()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        await using var scope = Factory.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        var versions = await registry.ListAsync(ModelTask.Regression, CancellationToken.None);
        var inactive = versions.First(v => !v.IsActive).Version;

        // Switched in the registry directly, as another node (or the CLI) would: this node notices by polling.
        var result = await registry.ActivateAsync(ModelTask.Regression, inactive, "test", "Compare forecasts of the older version", CancellationToken.None);
        Assert.True(result.Succeeded, result.Message);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string? served = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await admin.PostAsync("/api/predict", Json(ValidBody));
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            served = doc.RootElement.GetProperty("model_versions").GetProperty("regression").GetString();
            if (served == inactive)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(inactive, served);
    }

    [Fact]
    public async Task The_openapi_document_covers_every_api_endpoint()
    {
        var client = Factory.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        var api = Factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription != true)
            .Select(e => "/" + System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!.Trim('/'), @"\{(\w+):\w+\}", "{$1}"))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("/api/predict", api);
        Assert.Contains("/api/auth/login", api);
        Assert.DoesNotContain(api, p => !paths.Contains(p));
        var predict = doc.RootElement.GetProperty("paths").GetProperty("/api/predict").GetProperty("post");
        Assert.True(predict.GetProperty("responses").TryGetProperty("429", out _));
    }
}
