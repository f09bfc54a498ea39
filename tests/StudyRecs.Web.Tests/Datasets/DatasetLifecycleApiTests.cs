using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Auditing;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Datasets;

/// <summary>
/// Archive, restore and delete through the API, the upload's overlap choice (API and the page's form post), and the
/// admin's pin endpoints, with the hostile cases: unknown ids, another teacher, a student, bad choices, no antiforgery token.
/// </summary>
public sealed class DatasetLifecycleApiTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string Header = "student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_marks,final_grade";

    private PortalFactory Factory => portal.Factory;

    private static string[] Students(int count) => [.. Enumerable.Range(0, count).Select(_ => $"S{Guid.NewGuid():N}"[..20])];

    private static MultipartFormDataContent Upload(IEnumerable<string> students, double finalMarks, string? onOverlap = null, string name = "grades.csv")
    {
        var csv = Header + "\n" + string.Concat(students.Select(s => $"{s},1,Math,70,60,80,65,3.1,{finalMarks.ToString(System.Globalization.CultureInfo.InvariantCulture)},\n"));
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var form = new MultipartFormDataContent { { file, "file", name } };
        if (onOverlap is not null)
        {
            form.Add(new StringContent(onOverlap), "on_overlap");
        }

        return form;
    }

    private static async Task<long> CreatedIdAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Waits until no training run is queued or running, so a dataset is not in training when the next change comes.</summary>
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    [Fact]
    public async Task A_teacher_archives_restores_and_deletes_their_dataset_and_each_change_is_audited()
    {
        var teacher = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var id = await CreatedIdAsync(await teacher.PostAsync("/api/datasets", Upload(Students(3), 70)));

        var archived = await teacher.PostAsync($"/api/datasets/{id}/archive?reason=last%20year", null);
        Assert.True(archived.StatusCode == HttpStatusCode.OK, await archived.Content.ReadAsStringAsync());
        Assert.Contains("is archived", JsonDocument.Parse(await archived.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        using (var detail = JsonDocument.Parse(await teacher.GetStringAsync($"/api/datasets/{id}")))
        {
            Assert.Equal(JsonValueKind.String, detail.RootElement.GetProperty("archived_at").ValueKind);
        }

        await Factory.WaitForIdleTrainingAsync();
        Assert.Equal(HttpStatusCode.OK, (await teacher.PostAsync($"/api/datasets/{id}/restore", null)).StatusCode);
        using (var detail = JsonDocument.Parse(await teacher.GetStringAsync($"/api/datasets/{id}")))
        {
            Assert.Equal(JsonValueKind.Null, detail.RootElement.GetProperty("archived_at").ValueKind);
        }

        await Factory.WaitForIdleTrainingAsync();
        Assert.Equal(HttpStatusCode.OK, (await teacher.DeleteAsync($"/api/datasets/{id}")).StatusCode);
        await ProblemAsync(await teacher.GetAsync($"/api/datasets/{id}"), HttpStatusCode.NotFound);
        Assert.Equal(0, await Factory.QueryAsync(db => db.Set<DatasetRow>().CountAsync(r => r.DatasetId == id)));
        var audit = await Factory.QueryAsync(db => db.Set<AuditEntry>().Where(e => e.Target == $"dataset #{id}").OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditActions.DatasetArchived, AuditActions.DatasetRestored, AuditActions.DatasetDeleted], audit);
        await Factory.WaitForIdleTrainingAsync();
    }

    [Fact]
    public async Task Another_teacher_gets_403_a_student_403_an_unknown_id_404_and_a_cookie_without_token_400_and_nothing_changes()
    {
        var owner = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var id = await CreatedIdAsync(await owner.PostAsync("/api/datasets", Upload(Students(3), 70)));
        var other = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var student = await Factory.SignInWithBearerTokenAsync(Roles.Student, "S-" + Guid.NewGuid().ToString("N")[..8]);
        var cookie = await Factory.SignInAsync(Roles.Teacher);

        var forbidden = await ProblemAsync(await other.PostAsync($"/api/datasets/{id}/archive", null), HttpStatusCode.Forbidden);
        Assert.Contains("only its uploader or an administrator", forbidden.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(await other.DeleteAsync($"/api/datasets/{id}"), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await student.PostAsync($"/api/datasets/{id}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await student.DeleteAsync($"/api/datasets/{id}")).StatusCode);
        await ProblemAsync(await owner.PostAsync("/api/datasets/999999999/archive", null), HttpStatusCode.NotFound);
        await ProblemAsync(await owner.DeleteAsync("/api/datasets/999999999"), HttpStatusCode.NotFound);
        await ProblemAsync(await cookie.DeleteAsync($"/api/datasets/{id}"), HttpStatusCode.BadRequest);
        await ProblemAsync(await owner.PostAsync($"/api/datasets/{id}/restore", null), HttpStatusCode.Conflict);

        Assert.Equal(3, await Factory.QueryAsync(db => db.Set<DatasetRow>().CountAsync(r => r.DatasetId == id)));
        Assert.Null(await Factory.QueryAsync(db => db.Set<UploadedDataset>().Where(d => d.Id == id).Select(d => d.ArchivedAt).SingleAsync()));
        Assert.Equal(0, await Factory.QueryAsync(db => db.Set<AuditEntry>().CountAsync(e => e.Target == $"dataset #{id}")));

        // An administrator may change any teacher's dataset.
        var admin = await Factory.SignInWithBearerTokenAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/datasets/{id}/archive", null)).StatusCode);
        await ProblemAsync(await owner.PostAsync($"/api/datasets/{id}/archive", null), HttpStatusCode.Conflict);
        await Factory.WaitForIdleTrainingAsync();
    }

    [Fact]
    public async Task An_overlapping_upload_gets_409_with_the_count_and_is_stored_only_when_replace_is_chosen()
    {
        var teacher = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var students = Students(4);
        var firstId = await CreatedIdAsync(await teacher.PostAsync("/api/datasets", Upload(students.Take(3), 70)));
        var stored = await Factory.QueryAsync(db => db.Set<UploadedDataset>().CountAsync());
        var again = students.Skip(1).Take(3).ToArray();

        var asked = await ProblemAsync(await teacher.PostAsync("/api/datasets", Upload(again, 80)), HttpStatusCode.Conflict);
        Assert.Equal(2, asked.GetProperty("overlapping_rows").GetInt64());
        Assert.Equal([firstId], asked.GetProperty("overlapping_dataset_ids").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Contains("on_overlap=replace", asked.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("on_overlap=cancel", asked.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var bad = await ProblemAsync(await teacher.PostAsync("/api/datasets", Upload(again, 80, onOverlap: "overwrite")), HttpStatusCode.BadRequest);
        Assert.Contains("use ask, replace or cancel", bad.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var cancelled = await teacher.PostAsync("/api/datasets", Upload(again, 80, onOverlap: "cancel"));
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        using (var body = JsonDocument.Parse(await cancelled.Content.ReadAsStringAsync()))
        {
            Assert.False(body.RootElement.GetProperty("stored").GetBoolean());
            Assert.Equal(2, body.RootElement.GetProperty("overlapping_rows").GetInt64());
        }

        Assert.Equal(stored, await Factory.QueryAsync(db => db.Set<UploadedDataset>().CountAsync()));

        var replaced = await teacher.PostAsync("/api/datasets?on_overlap=replace", Upload(again, 80));
        var replacedId = await CreatedIdAsync(replaced);
        using (var body = JsonDocument.Parse(await replaced.Content.ReadAsStringAsync()))
        {
            Assert.Equal(2, body.RootElement.GetProperty("overlapping_rows").GetInt64());
        }

        // Training reads each key once: the newest row wins.
        var rows = await Factory.QueryAsync(db => TrainingData.LoadLabelledRowsAsync(db, [firstId, replacedId], CancellationToken.None));
        Assert.Equal(4, rows.Count);
        Assert.Equal(
            students.Order(StringComparer.Ordinal).Select(s => (s, s == students[0] ? 70.0 : 80.0)),
            rows.OrderBy(r => r.StudentId, StringComparer.Ordinal).Select(r => (r.StudentId, r.FinalMarks!.Value)));
    }

    [Fact]
    public async Task Counts_follow_what_happened_to_the_callers_datasets()
    {
        var teacher = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var kept = await CreatedIdAsync(await teacher.PostAsync("/api/datasets", Upload(Students(2), 70)));
        var archived = await CreatedIdAsync(await teacher.PostAsync("/api/datasets", Upload(Students(2), 70)));
        Assert.Equal(HttpStatusCode.OK, (await teacher.PostAsync($"/api/datasets/{archived}/archive", null)).StatusCode);
        await Factory.WaitForIdleTrainingAsync();

        using var counts = JsonDocument.Parse(await teacher.GetStringAsync("/api/datasets/counts"));

        Assert.Equal((2, 2, 1), (counts.RootElement.GetProperty("uploaded").GetInt32(), counts.RootElement.GetProperty("accepted").GetInt32(), counts.RootElement.GetProperty("archived").GetInt32()));
        Assert.NotEqual(kept, archived);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await Factory.SignInWithBearerTokenAsync(Roles.Student, "S-" + Guid.NewGuid().ToString("N")[..8])).GetAsync("/api/datasets/counts")).StatusCode);
    }

    [Fact]
    public async Task Only_admins_unpin_and_activate_through_the_api_and_bad_requests_get_problem_details()
    {
        var admin = await Factory.SignInWithBearerTokenAsync(Roles.Admin);
        var teacher = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        await Factory.QueryAsync(async db =>
        {
            db.Add(new ModelPin { Task = ModelTask.Recommendation, Version = "20261101000000", PinnedBy = "someone@example.org", PinnedAt = DateTimeOffset.UtcNow, Reason = "hand-picked" });
            return await db.SaveChangesAsync();
        });

        using (var pins = JsonDocument.Parse(await teacher.GetStringAsync("/api/training/pins")))
        {
            var pin = Assert.Single(pins.RootElement.EnumerateArray(), p => p.GetProperty("task").GetString() == "Recommendation");
            Assert.Equal(("20261101000000", "someone@example.org", "hand-picked"), (pin.GetProperty("version").GetString(), pin.GetProperty("pinned_by").GetString(), pin.GetProperty("reason").GetString()));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await teacher.PostAsync("/api/training/models/recommendation/unpin?reason=x", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await teacher.PostAsync("/api/training/models/regression/20261101000000/activate?reason=x", null)).StatusCode);
        await ProblemAsync(await admin.PostAsync("/api/training/models/recommendation/unpin", null), HttpStatusCode.BadRequest);
        await ProblemAsync(await admin.PostAsync("/api/training/models/grades/unpin?reason=x", null), HttpStatusCode.NotFound);
        await ProblemAsync(await admin.PostAsync("/api/training/models/regression/19990101000000/activate?reason=x", null), HttpStatusCode.NotFound);
        await ProblemAsync(await admin.PostAsync("/api/training/models/regression/19990101000000/activate", null), HttpStatusCode.BadRequest);
        await ProblemAsync(await (await Factory.SignInAsync(Roles.Admin)).PostAsync("/api/training/models/recommendation/unpin?reason=x", null), HttpStatusCode.BadRequest);

        var unpinned = await admin.PostAsync("/api/training/models/recommendation/unpin?reason=trainings%20may%20decide", null);
        Assert.True(unpinned.StatusCode == HttpStatusCode.OK, await unpinned.Content.ReadAsStringAsync());
        await ProblemAsync(await admin.PostAsync("/api/training/models/recommendation/unpin?reason=again", null), HttpStatusCode.Conflict);
        var entry = await Factory.QueryAsync(db => db.Set<AuditEntry>().SingleAsync(e => e.Action == AuditActions.ModelUnpinned));
        Assert.Contains("Reason: trainings may decide", entry.Details, StringComparison.Ordinal);
    }
}
