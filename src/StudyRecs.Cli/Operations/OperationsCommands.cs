using System.CommandLine;
using System.Text.Json;
using StudyRecs.Cli.Hosting;

namespace StudyRecs.Cli.Operations;

/// <summary><c>studyrecs security check</c> and <c>studyrecs loadtest predict</c>: what an IT office runs against a portal.</summary>
internal static class OperationsCommands
{
    public static Command Security()
    {
        var url = new Option<string?>("--url") { Description = "Also probe this running portal (e.g. https://studyrecs.university.edu)" };
        var strict = new Option<bool>("--strict") { Description = "Exit 1 on a warning too" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var check = new Command("check", "Check the configuration the portal would run with and, with --url, probe a running portal") { url, strict, json };
        check.SetAction(async (pr, ct) =>
        {
            Uri? target = null;
            if (pr.GetValue(url) is { } text && !TryPortalUrl(text, out target))
            {
                await Console.Error.WriteLineAsync($"--url must be an absolute http:// or https:// address, not '{text}'.");
                return ExitCodes.Failed;
            }

            var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production";
            await using var services = CliServices.Build();
            var checks = new List<SecurityCheckResult>(await ConfigurationSecurityChecks.RunAsync(services, environment, ct));
            if (target is not null)
            {
                using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = target, Timeout = TimeSpan.FromSeconds(30) };
                try
                {
                    checks.AddRange(await new PortalSecurityProbe(client).RunAsync(ct));
                }
                catch (HttpRequestException e)
                {
                    checks.Add(SecurityCheckResult.Of("portal-reachable", CheckStatus.Fail, $"{target}: {e.Message}"));
                }
            }

            var report = new SecurityCheckReport(checks);
            if (pr.GetValue(json))
            {
                Console.WriteLine(report.ToJson(pr.GetValue(strict)));
            }
            else
            {
                report.Print(Console.Out);
            }

            return report.ExitCode(pr.GetValue(strict));
        });
        return new Command("security", "Security checks of a StudyRecs installation") { check };
    }

    public static Command LoadTest()
    {
        var url = new Option<string>("--url") { Description = "The portal, e.g. http://localhost:5180", Required = true };
        var email = new Option<string>("--email") { Description = "Account to sign in as (any role may forecast)", Required = true };
        var password = new Option<string>("--password") { Description = "Its password", Required = true };
        var requests = new Option<int>("--requests") { Description = "Requests to send (ignored with --duration)", DefaultValueFactory = _ => 2000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once", DefaultValueFactory = _ => 16 };
        var duration = new Option<double?>("--duration") { Description = "Send for this many seconds instead of a fixed count" };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON" };
        var predict = new Command("predict", "Send valid random forecast requests to POST /api/predict and report throughput and latency")
        {
            url, email, password, requests, concurrency, duration, json,
        };
        predict.SetAction(async (pr, ct) =>
        {
            if (!TryPortalUrl(pr.GetValue(url)!, out var target) || pr.GetValue(requests) < 1 || pr.GetValue(concurrency) is < 1 or > 1024 || pr.GetValue(duration) is <= 0)
            {
                await Console.Error.WriteLineAsync("--url must be an absolute http:// or https:// address, --requests at least 1, --concurrency 1 to 1024, --duration above 0.");
                return ExitCodes.Failed;
            }

            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = pr.GetValue(concurrency), UseCookies = false })
            {
                BaseAddress = target,
                Timeout = TimeSpan.FromSeconds(60),
            };
            var test = new PredictLoadTest(client);
            try
            {
                await test.SignInAsync(pr.GetValue(email)!, pr.GetValue(password)!, ct);
            }
            catch (Exception e) when (e is LoadTestException or HttpRequestException)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return ExitCodes.Failed;
            }

            var result = await test.RunAsync(pr.GetValue(requests), pr.GetValue(concurrency), pr.GetValue(duration) is { } s ? TimeSpan.FromSeconds(s) : null, ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result));
            }
            else
            {
                PredictLoadTest.Print(result, Console.Out);
            }

            return result.Errors == 0 ? ExitCodes.Ok : 1;
        });
        return new Command("loadtest", "Load tests against a running portal") { predict };
    }

    private static bool TryPortalUrl(string text, out Uri target) =>
        Uri.TryCreate(text, UriKind.Absolute, out target!) && (target.Scheme == Uri.UriSchemeHttp || target.Scheme == Uri.UriSchemeHttps);
}
