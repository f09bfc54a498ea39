using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

/// <summary>
/// circuits BASE PORTAL_PID PASSWORD [--pages N] [--samples K] [--rounds R]
/// The cost of open interactive circuits of a running portal (issue 13), with accounts made by circuits.sh
/// (bench-admin@, bench-teacher@ and bench-student-01@ ... bench-student-NN@studyrecs.local, one password):
/// 1. server memory per circuit: N student dashboards (one account and browser context each), then N at-risk lists
///    (one teacher, N pages), each against a baseline taken with no circuit open, after a full collection;
/// 2. click-to-DOM times with N circuits open: a recommendation's "More like this" on the dashboards, then a value
///    typed into the what-if page (the dashboards navigated there, so again N circuits), K presses per page;
/// 3. first loads, sign-in to dashboard rendered, per role, against the static sign-in page, R rounds.
/// </summary>
internal static class Circuits
{
    /// <summary>A live page whose data has arrived: connected (the layout's marker) and no "Loading…" left in it.</summary>
    private const string LoadedScript = """
        () => {
          const main = document.querySelector('main[data-live="true"]');
          if (!main) return false;
          return ![...main.querySelectorAll('[role=status], [aria-label]')].some(e =>
            /^Loading/.test(e.getAttribute('aria-label') || '') || /^Loading/.test(e.textContent.trim()));
        }
        """;

    /// <summary>Presses "More like this" on the first recommendation; resolves with the milliseconds until it is off the page.</summary>
    private const string FeedbackScript = """
        () => new Promise((resolve, reject) => {
          const item = document.querySelector('ol.recommendations li.recommendation');
          if (!item) { resolve(-1); return; }
          const selector = `li.recommendation[data-resource-id="${CSS.escape(item.dataset.resourceId)}"]`;
          const button = [...item.querySelectorAll('button')].find(b => b.textContent.trim() === 'More like this' && !b.disabled);
          if (!button) { reject(new Error('no enabled "More like this" button')); return; }
          const observer = new MutationObserver(() => {
            if (!document.querySelector(selector)) { observer.disconnect(); resolve(performance.now() - start); }
          });
          observer.observe(document.body, { childList: true, subtree: true });
          setTimeout(() => { observer.disconnect(); reject(new Error('the item stayed for 30 s')); }, 30000);
          const start = performance.now();
          button.click();
        })
        """;

    /// <summary>Types a value into the what-if page's first field; resolves with the milliseconds until the outcome shows or goes.</summary>
    private const string WhatIfScript = """
        value => new Promise((resolve, reject) => {
          const input = document.querySelector('.what-if-field input');
          const outcome = document.querySelector('.what-if-outcome');
          const shown = () => !!outcome.querySelector('.what-if-change');
          const before = shown();
          const observer = new MutationObserver(() => {
            if (shown() !== before) { observer.disconnect(); resolve(performance.now() - start); }
          });
          observer.observe(outcome, { childList: true, subtree: true });
          setTimeout(() => { observer.disconnect(); reject(new Error('the outcome did not change for 30 s')); }, 30000);
          const start = performance.now();
          input.value = value;
          input.dispatchEvent(new Event('input', { bubbles: true }));
        })
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var pid))
        {
            Console.Error.WriteLine("usage: circuits BASE_URL PORTAL_PID PASSWORD [--pages 20] [--samples 5] [--rounds 5]");
            return 2;
        }

        var (baseUrl, password) = (args[0].TrimEnd('/'), args[2]);
        var pages = Option(args, "--pages", 20);
        var samples = Option(args, "--samples", 5);
        var rounds = Option(args, "--rounds", 5);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("STUDYRECS_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage"],
        });
        var options = new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 800 } };

        // 1a. Student dashboards, one account each (the feedback presses below change each student's own lists).
        var baseline = await PortalMemory.CollectAsync(pid);
        Console.WriteLine($"baseline, no circuit: {baseline}");
        var students = new List<IPage>();
        for (var i = 1; i <= pages; i++)
        {
            var context = await browser.NewContextAsync(options);
            var page = await context.NewPageAsync();
            await SignInAsync(page, $"bench-student-{i:D2}@studyrecs.local", password, "/student");
            await WaitLoadedAsync(page);
            students.Add(page);
        }

        await ReportMemoryAsync(pid, baseline, pages, "/student");

        // 2a. Feedback with N circuits open: round-robin over the dashboards, one press per page per turn.
        var feedback = new List<double>();
        for (var round = 0; round < samples; round++)
        {
            foreach (var page in students)
            {
                var ms = await page.EvaluateAsync<double>(FeedbackScript);
                if (ms < 0)
                {
                    // The shown list ran out: a reload asks for a new one (the circuit count stays the same).
                    await page.ReloadAsync();
                    await WaitLoadedAsync(page);
                    ms = await page.EvaluateAsync<double>(FeedbackScript);
                    if (ms < 0)
                    {
                        throw new InvalidOperationException($"{page.Url}: no recommendation left to press");
                    }
                }

                feedback.Add(ms);
                await WaitEnabledAsync(page);
            }
        }

        Report("recommendation feedback (\"More like this\", click to item gone)", feedback, pages);

        // 2b. What-if: every dashboard goes to its first subject's what-if page (a new circuit each; the old one ends).
        foreach (var page in students)
        {
            var href = await page.GetAttributeAsync("a[href^='forecasts/']", "href")
                ?? throw new InvalidOperationException($"{page.Url}: no what-if link on the dashboard");
            await page.GotoAsync("/" + href);
            await WaitLoadedAsync(page);
            await page.WaitForSelectorAsync(".what-if-field input");
        }

        var whatIf = new List<double>();
        var originals = new List<string>();
        foreach (var page in students)
        {
            originals.Add(await page.InputValueAsync(".what-if-field input"));
        }

        for (var round = 0; round < samples * 2; round++)
        {
            for (var i = 0; i < students.Count; i++)
            {
                // Alternate between a changed value (the outcome appears) and the real one (it goes): each press changes the DOM.
                var value = round % 2 == 0 ? Changed(originals[i]) : originals[i];
                whatIf.Add(await students[i].EvaluateAsync<double>(WhatIfScript, value));
            }
        }

        Report("what-if value typed (input event to outcome shown/gone, includes the page's 150 ms debounce)", whatIf, pages);
        foreach (var page in students)
        {
            await LeaveAsync(page);
            await page.Context.CloseAsync();
        }

        // 1b. At-risk lists: one teacher, N pages.
        await Task.Delay(2000);
        baseline = await PortalMemory.CollectAsync(pid);
        Console.WriteLine($"baseline, no circuit: {baseline}");
        var teacher = await browser.NewContextAsync(options);
        var first = await teacher.NewPageAsync();
        await SignInAsync(first, "bench-teacher@studyrecs.local", password, "/teacher/at-risk");
        await WaitLoadedAsync(first);
        var lists = new List<IPage> { first };
        for (var i = 1; i < pages; i++)
        {
            var page = await teacher.NewPageAsync();
            await page.GotoAsync("/teacher/at-risk");
            await WaitLoadedAsync(page);
            lists.Add(page);
        }

        var rows = await first.Locator("main tbody tr").CountAsync();
        await ReportMemoryAsync(pid, baseline, pages, $"/teacher/at-risk ({rows} rows on its first page)");
        foreach (var page in lists)
        {
            await LeaveAsync(page);
        }

        await teacher.CloseAsync();

        // 3. First loads, each in a fresh context, against the static sign-in page loaded the same way in the same round.
        var anchor = new List<double>();
        var roles = new (string Name, string Email, string Path)[]
        {
            ("admin", "bench-admin@studyrecs.local", "/admin"),
            ("teacher", "bench-teacher@studyrecs.local", "/teacher"),
            ("student", "bench-student-01@studyrecs.local", "/student"),
        };
        var loads = roles.ToDictionary(r => r.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            await using (var context = await browser.NewContextAsync(options))
            {
                var page = await context.NewPageAsync();
                var clock = Stopwatch.StartNew();
                await page.GotoAsync("/account/login");
                await page.GetByLabel("Email").WaitForAsync();
                anchor.Add(clock.Elapsed.TotalMilliseconds);
            }

            foreach (var (name, email, path) in roles)
            {
                await using var context = await browser.NewContextAsync(options);
                var page = await context.NewPageAsync();
                loads[name].Add(await SignInAsync(page, email, password, path, timed: true));
            }
        }

        var anchorMedian = Percentile(anchor, 50);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first loads, {rounds} rounds, fresh context each; anchor: static sign-in page, median {anchorMedian:F0} ms ({string.Join(", ", anchor.Select(a => a.ToString("F0", CultureInfo.InvariantCulture)))})"));
        foreach (var (name, _, path) in roles)
        {
            var median = Percentile(loads[name], 50);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-8} {path,-9} sign-in press to dashboard loaded: median {median:F0} ms = {median / anchorMedian:F1}x anchor (each: {string.Join(", ", loads[name].Select(a => a.ToString("F0", CultureInfo.InvariantCulture)))})"));
        }

        return 0;
    }

    /// <summary>Signs in with the portal's form, landing on <paramref name="path"/>; timed: milliseconds from the press to the page loaded.</summary>
    private static async Task<double> SignInAsync(IPage page, string email, string password, string path, bool timed = false)
    {
        await page.GotoAsync("/account/login?ReturnUrl=" + Uri.EscapeDataString(path));
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        var clock = Stopwatch.StartNew();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path, new() { Timeout = 60000 });
        if (timed)
        {
            await WaitLoadedAsync(page);
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task WaitLoadedAsync(IPage page) =>
        await page.WaitForFunctionAsync(LoadedScript, null, new() { Timeout = 60000, PollingInterval = 20 });

    private static async Task WaitEnabledAsync(IPage page) =>
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('ol.recommendations button')].every(b => !b.disabled)", null, new() { Timeout = 30000, PollingInterval = 20 });

    /// <summary>Leaves the page first, so Blazor's unload beacon ends its circuit now rather than after the disconnect retention.</summary>
    private static async Task LeaveAsync(IPage page) => await page.GotoAsync("about:blank");

    private static async Task ReportMemoryAsync(int pid, MemorySample baseline, int circuits, string what)
    {
        await Task.Delay(2000);
        var after = await PortalMemory.CollectAsync(pid);
        Console.WriteLine($"{circuits} circuits on {what}: {after}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  per circuit: GC heap {(after.HeapBytes - baseline.HeapBytes) / 1024.0 / circuits:F0} KB, working set {(after.WorkingSetBytes - baseline.WorkingSetBytes) / 1024.0 / circuits:F0} KB"));
    }

    private static void Report(string what, List<double> ms, int circuits) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}, {circuits} circuits open, {ms.Count} presses: p50 {Percentile(ms, 50):F1} ms, p95 {Percentile(ms, 95):F1} ms, max {ms.Max():F1} ms"));

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Another valid value for a what-if field: one up (one down at the top of the scale), 50 for an empty one.</summary>
    private static string Changed(string original) =>
        double.TryParse(original, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? (v >= 50 ? v - 1 : v + 1).ToString(CultureInfo.InvariantCulture)
            : "50";

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
