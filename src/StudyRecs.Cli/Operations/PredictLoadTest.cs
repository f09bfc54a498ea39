using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StudyRecs.Cli.Operations;

/// <summary>What <c>studyrecs loadtest predict</c> measured; the JSON keys are a contract external checks read.</summary>
internal sealed record LoadTestResult(
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("rps")] double Rps,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p95_ms")] double P95Ms,
    [property: JsonPropertyName("p99_ms")] double P99Ms,
    [property: JsonPropertyName("max_ms")] double MaxMs,
    [property: JsonPropertyName("errors")] int Errors,
    [property: JsonPropertyName("status")] IReadOnlyDictionary<string, int> Status);

/// <summary>
/// Signs in for a bearer token, then sends valid random forecast requests to <c>POST /api/predict</c> from
/// <c>concurrency</c> workers until <c>requests</c> are sent or <c>duration</c> has passed. A non-2xx answer or a failed
/// connection counts as an error; a 429 means the account's rate limit was in the way (see the README).
/// </summary>
internal sealed class PredictLoadTest(HttpClient client)
{
    private static readonly string[] Subjects = ["Calculus", "Linear Algebra", "Data Structures", "Programming Fundamentals", "Discrete Mathematics"];

    public async Task SignInAsync(string email, string password, CancellationToken ct)
    {
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password }, ct);
        if (!login.IsSuccessStatusCode)
        {
            throw new LoadTestException($"Sign-in as {email} failed with {(int)login.StatusCode}: check the e-mail and password.");
        }

        using var body = JsonDocument.Parse(await login.Content.ReadAsStringAsync(ct));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.RootElement.GetProperty("accessToken").GetString());
    }

    public async Task<LoadTestResult> RunAsync(int requests, int concurrency, TimeSpan? duration, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double>();
        var status = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var errors = 0;
        var sent = 0;
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }

        async Task WorkerAsync(int seed)
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested && (duration is not null || Interlocked.Increment(ref sent) <= requests))
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new StringContent(RandomRequest(random), Encoding.UTF8, "application/json");
                    using var response = await client.PostAsync("/api/predict", content, stop.Token);
                    await response.Content.LoadIntoBufferAsync(stop.Token);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    status.AddOrUpdate(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // The duration ran out mid-request: not an answer, not an error.
                }
                catch (HttpRequestException)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    status.AddOrUpdate("connection_error", 1, (_, n) => n + 1);
                    Interlocked.Increment(ref errors);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(() => WorkerAsync(i + 1), CancellationToken.None)));
        var seconds = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        return new LoadTestResult(sorted.Length, Math.Round(seconds, 3), Math.Round(sorted.Length / Math.Max(seconds, 1e-9), 1),
            Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted.Length == 0 ? 0 : Math.Round(sorted[^1], 2),
            errors, new SortedDictionary<string, int>(status, StringComparer.Ordinal));
    }

    /// <summary>A forecast request within the default ranges; some marks left out, as early in a term.</summary>
    private static string RandomRequest(Random random)
    {
        static string Mark(Random r, double max) => r.NextDouble() < 0.15 ? "null" : Math.Round(r.NextDouble() * max, 1).ToString(CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"semester\": {random.Next(1, 9)}, \"subject\": \"{Subjects[random.Next(Subjects.Length)]}\", \"assignment_marks\": {Mark(random, 100)}, "
            + $"\"quiz_marks\": {Mark(random, 100)}, \"attendance_percentage\": {Mark(random, 100)}, \"midterm_marks\": {Mark(random, 100)}, \"previous_cgpa\": {Mark(random, 4)}}}");
    }

    /// <summary>Nearest-rank percentile of sorted latencies, in milliseconds.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 2);

    public static void Print(LoadTestResult r, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests  {r.Requests} in {r.Seconds:0.0} s = {r.Rps:0.0} requests/s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency   p50 {r.P50Ms:0.00} ms  p95 {r.P95Ms:0.00} ms  p99 {r.P99Ms:0.00} ms  max {r.MaxMs:0.00} ms"));
        output.WriteLine("status    " + string.Join("  ", r.Status.Select(s => $"{s.Key}: {s.Value}")));
        output.WriteLine($"errors    {r.Errors}");
    }
}

/// <summary>The load test cannot start (bad sign-in); the message says why.</summary>
internal sealed class LoadTestException(string message) : Exception(message);
