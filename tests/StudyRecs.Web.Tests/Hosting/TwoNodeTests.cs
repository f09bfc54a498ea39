using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StudyRecs.Web.Tests.Hosting;

/// <summary>A test that needs a shared server database: skipped, with the reason, unless STUDYRECS_TEST_POSTGRES is set (CI sets it).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PortalFactory.PostgresVariable)))
        {
            Skip = $"Several portal nodes need a shared server database: set {PortalFactory.PostgresVariable} to a PostgreSQL server connection string (CI does); skipped.";
        }
    }
}

/// <summary>
/// Two portal processes behind no load balancer, on one fresh PostgreSQL database, each with its own data folder (the
/// README's "Several nodes"): a sign-in made on one node is accepted by the other, an upload is trained by exactly one
/// node, a node that is killed in the middle of a training has its run marked interrupted and finished by the other,
/// and a version activated through one node is served by the other within <c>Predictions:RefreshSeconds</c>.
/// </summary>
public sealed class TwoNodeTests(ITestOutputHelper log) : IDisposable
{
    private const string PredictBody = """{"semester": 2, "subject": "Algorithms", "assignment_marks": 62, "quiz_marks": 55, "attendance_percentage": 71, "midterm_marks": 48, "previous_cgpa": 2.7}""";

    private readonly string? server = Environment.GetEnvironmentVariable(PortalFactory.PostgresVariable);
    private readonly string database = "studyrecs_nodes_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string root = Path.Combine(Path.GetTempPath(), "studyrecs-nodes", Guid.NewGuid().ToString("N"));
    private readonly List<PortalProcess> nodes = [];
    private readonly List<IDisposable> disposables = [];
    private ServiceProvider? operatorServices;

    private string ConnectionString => new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();

    /// <summary>
    /// A node's settings: small trainings (2 folds, the engine's own learners only, one thread), a new version always
    /// activated (so each training gives the version a node must serve), and a short refresh of the served versions.
    /// </summary>
    private Dictionary<string, string> NodeSettings(string name) => new()
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:StudyRecs"] = ConnectionString,
        ["Storage:DataDirectory"] = Directory.CreateDirectory(Path.Combine(root, name)).FullName,
        ["Datasets:MinimumLabelledRowsToTrain"] = "200",
        ["Training:CvFolds"] = "2",
        ["Training:Libraries:0"] = "studyrecs",
        ["Training:Threads"] = "1",
        ["Training:ActivationTolerance"] = "1000",
        ["Predictions:RefreshSeconds"] = "1",
    };

    private PortalProcess StartNode(string name, int? port = null)
    {
        var node = PortalProcess.Start(NodeSettings(name), port);
        nodes.Add(node);
        return node;
    }

    private async Task<T> QueryAsync<T>(Func<StudyRecsDbContext, Task<T>> query)
    {
        await using var scope = OperatorServices.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>());
    }

    /// <summary>What an operator's tooling would use on the shared database (the CLI's services): accounts and queries.</summary>
    private ServiceProvider OperatorServices => operatorServices ??= BuildOperatorServices();

    private ServiceProvider BuildOperatorServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:StudyRecs"] = ConnectionString,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddStudyRecsDatabase(configuration);
        services.AddStudyRecsIdentity();
        return services.BuildServiceProvider();
    }

    private HttpClient Client(PortalProcess node, bool useCookies = false, CookieContainer? cookies = null)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = useCookies };
        if (cookies is not null)
        {
            handler.CookieContainer = cookies;
        }

        var client = new HttpClient(handler) { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(60) };
        disposables.Add(client);
        return client;
    }

    private HttpClient BearerClient(PortalProcess node, string token)
    {
        var client = Client(node);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string?> SignedInEmailAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/auth/manage/info");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        using var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return info.RootElement.GetProperty("email").GetString();
    }

    private async Task<TrainingRun> WaitForRunAsync(long runId, Func<TrainingRun, bool> done, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = await QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync(r => r.Id == runId));
            Assert.True(run.Status != TrainingRunStatus.Failed, $"Training run {runId} failed: {run.Error}\n{NodeOutputs()}");
            if (done(run))
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Training run {runId} did not {what} within {timeout} (status {run.Status}, step '{run.Step}').\n{NodeOutputs()}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> ServedRegressionVersionAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/predict", new StringContent(PredictBody, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("model_versions").GetProperty("regression").GetString()!;
    }

    private static async Task WaitUntilServedAsync(HttpClient client, string version, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string served;
        while ((served = await ServedRegressionVersionAsync(client)) != version)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Node {client.BaseAddress} still serves regression {served}, not {version}, after {timeout}.");
            await Task.Delay(200);
        }
    }

    /// <summary>The grade training run an accepted upload queued: the one newer than <paramref name="after"/>.</summary>
    private async Task<long> QueuedRunIdAsync(long after)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            if (await QueryAsync(db => db.Set<TrainingRun>().Where(r => r.Kind == TrainingRunKind.Grades && r.Id > after).Select(r => (long?)r.Id).MinAsync()) is { } id)
            {
                return id;
            }

            Assert.True(DateTime.UtcNow < deadline, "The accepted upload queued no training run.");
            await Task.Delay(100);
        }
    }

    /// <summary>How often a node logged that it started training run <paramref name="runId"/>.</summary>
    private static int StartsLogged(PortalProcess node, long runId) =>
        Regex.Count(node.Output, $@"Training run {runId} started\b");

    private string NodeOutputs() =>
        string.Join("\n", nodes.Select((n, i) => $"--- node process {i + 1} (port {n.Port}) ---\n{n.Output}"));

    [PostgresFact]
    public async Task Two_nodes_share_sign_ins_train_an_upload_once_take_over_a_killed_training_and_serve_each_others_activations()
    {
        // Node 1 creates the schema of the fresh database; node 2 then starts on it as an identical node.
        var node1 = StartNode("node1");
        await node1.WaitHealthyAsync();
        var node2 = StartNode("node2");
        await node2.WaitHealthyAsync();

        const string password = "Correct-Horse-42";
        var email = $"admin-{Guid.NewGuid():N}@test.local";
        await using (var scope = OperatorServices.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<UserAdministration>().CreateAsync(new NewAccount(email, password, Roles.Admin, null, "Two-node admin"));
            Assert.True(created.Succeeded, string.Join(" ", created.Errors));
        }

        // A cookie from node 1's login form is accepted by node 2 (one key ring in the database).
        var cookies = new CookieContainer();
        var browserOnNode1 = Client(node1, useCookies: true, cookies);
        var login = await PortalFactory.PostFormAsync(browserOnNode1, "/account/login", "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(email, await SignedInEmailAsync(browserOnNode1));
        var browserOnNode2 = Client(node2);
        Assert.Null(await SignedInEmailAsync(browserOnNode2));
        browserOnNode2.DefaultRequestHeaders.Add("Cookie", cookies.GetCookieHeader(node1.Address));
        Assert.Equal(email, await SignedInEmailAsync(browserOnNode2));
        Assert.Equal(HttpStatusCode.OK, (await browserOnNode2.GetAsync("/account/change-password")).StatusCode);

        // A bearer token from node 1 is accepted by node 2.
        var tokenAnswer = await Client(node1).PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, tokenAnswer.StatusCode);
        string token;
        using (var json = JsonDocument.Parse(await tokenAnswer.Content.ReadAsStringAsync()))
        {
            token = json.RootElement.GetProperty("accessToken").GetString()!;
        }

        var apiOnNode1 = BearerClient(node1, token);
        var apiOnNode2 = BearerClient(node2, token);
        Assert.Equal(email, await SignedInEmailAsync(apiOnNode2));
        Assert.Equal(HttpStatusCode.OK, (await apiOnNode2.GetAsync("/api/datasets")).StatusCode);

        // An upload on node 1 is trained once, by one of the two nodes' schedulers: one run, one version per task.
        var upload = await apiOnNode1.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(45, seed: 1));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var firstRun = await QueuedRunIdAsync(0);
        await WaitForRunAsync(firstRun, r => r.Status == TrainingRunStatus.Succeeded, "succeed", TimeSpan.FromMinutes(4));
        Assert.Equal(1, StartsLogged(node1, firstRun) + StartsLogged(node2, firstRun));
        Assert.Equal([firstRun], await QueryAsync(db => db.Set<TrainingRun>().Where(r => r.Kind == TrainingRunKind.Grades).Select(r => r.Id).ToListAsync()));
        var firstVersions = await QueryAsync(db => db.Set<TrainedModel>().AsNoTracking().ToListAsync());
        Assert.Equal(2, firstVersions.Count);
        Assert.All(firstVersions, m => Assert.Equal(firstRun, m.TrainingRunId));
        Assert.Equal([ModelTask.Regression, ModelTask.Classification], firstVersions.Select(m => m.Task).Order());
        var firstRegression = firstVersions.Single(m => m.Task == ModelTask.Regression).Version;

        // A larger upload on node 2; whichever node starts training it is killed (SIGKILL) as soon as it has begun.
        var second = await apiOnNode2.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(600, seed: 2, firstStudent: 1001));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var secondRun = await QueuedRunIdAsync(firstRun);
        await WaitForRunAsync(secondRun, r => r.Status == TrainingRunStatus.Running && (StartsLogged(node1, secondRun) + StartsLogged(node2, secondRun)) > 0, "start", TimeSpan.FromMinutes(2));
        var (trainer, survivor) = StartsLogged(node1, secondRun) > 0 ? (node1, node2) : (node2, node1);
        await trainer.KillAsync();
        var killedIn = await QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync(r => r.Id == secondRun));
        Assert.True(killedIn.Status == TrainingRunStatus.Running, $"The killed node's run should be left running, not {killedIn.Status}: the kill came too late.");
        Assert.Equal(2, await QueryAsync(db => db.Set<TrainedModel>().CountAsync()));

        // The survivor's scheduler finds the dead node (it stops checking in), marks its run interrupted and runs it
        // again to the end: the same run, now with versions of its own.
        var killedAt = DateTime.UtcNow;
        var rerun = await WaitForRunAsync(secondRun, r => r.Status == TrainingRunStatus.Succeeded, "succeed on the surviving node", TimeSpan.FromMinutes(5));
        log.WriteLine($"Killed the node on port {trainer.Port} during '{killedIn.Step}'; the node on port {survivor.Port} finished the run {DateTime.UtcNow - killedAt:g} later, its own training taking {rerun.FinishedAt - rerun.StartedAt:g}.");
        Assert.Contains($"Training run {secondRun} was interrupted", survivor.Output, StringComparison.Ordinal);
        Assert.Equal(1, StartsLogged(survivor, secondRun));
        Assert.Equal(2, await QueryAsync(db => db.Set<TrainingRun>().CountAsync(r => r.Kind == TrainingRunKind.Grades)));
        var secondVersions = await QueryAsync(db => db.Set<TrainedModel>().AsNoTracking().Where(m => m.TrainingRunId == secondRun).ToListAsync());
        Assert.Equal(2, secondVersions.Count);
        Assert.All(secondVersions, m => Assert.True(m.IsActive));
        var secondRegression = secondVersions.Single(m => m.Task == ModelTask.Regression).Version;

        // The killed node comes back. The survivor serves the newest version; the older one, activated through the
        // restarted node, is what the survivor serves after its next refresh of the active versions.
        var restarted = StartNode("restarted", trainer.Port);
        await restarted.WaitHealthyAsync();
        var servedBySurvivor = survivor == node1 ? apiOnNode1 : apiOnNode2;
        await WaitUntilServedAsync(servedBySurvivor, secondRegression, TimeSpan.FromSeconds(30));
        var activation = await BearerClient(restarted, token).PostAsync($"/api/training/models/regression/{firstRegression}/activate?reason=two-node%20rollback", null);
        Assert.Equal(HttpStatusCode.OK, activation.StatusCode);
        await WaitUntilServedAsync(servedBySurvivor, firstRegression, TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        foreach (var disposable in disposables)
        {
            disposable.Dispose();
        }

        foreach (var node in nodes)
        {
            node.Dispose();
        }

        operatorServices?.Dispose();
        if (!string.IsNullOrWhiteSpace(server))
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(server);
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
            drop.ExecuteNonQuery();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }
}
