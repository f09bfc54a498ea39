using Microsoft.Playwright;

// circuits BASE PORTAL_PID PASSWORD [...]: the cost of open interactive circuits (Circuits.cs, usually through circuits.sh).
if (args.Length > 0 && args[0] == "circuits")
{
    return await Circuits.RunAsync(args[1..]);
}

// screenshots BASE OUTDIR EMAIL PASSWORD /path [/path ...]
// Signs in once, then saves every path on a desktop (1280x800) and a phone (375x667) screen, light and dark theme.
if (args.Length < 5 || args[0] != "screenshots")
{
    Console.Error.WriteLine("usage: screenshots BASE_URL OUT_DIR EMAIL PASSWORD /path [/path ...]");
    Console.Error.WriteLine("       circuits BASE_URL PORTAL_PID PASSWORD [--pages 20] [--samples 5] [--rounds 5]");
    return 2;
}

var (baseUrl, outDir, email, password, paths) = (args[1].TrimEnd('/'), args[2], args[3], args[4], args[5..]);
Directory.CreateDirectory(outDir);
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = Environment.GetEnvironmentVariable("STUDYRECS_CHROMIUM") ?? "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
});

foreach (var theme in new[] { "light", "dark" })
{
    foreach (var (device, viewport) in new[] { ("desktop", new ViewportSize { Width = 1280, Height = 800 }), ("phone", new ViewportSize { Width = 375, Height = 667 }) })
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = viewport, IsMobile = device == "phone" });
        await context.AddCookiesAsync([new Cookie { Name = "studyrecs.theme", Value = theme, Url = baseUrl }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            // Live pages: wait for the connection (the layout marks main[data-live=true]); static ones just settle.
            try
            {
                await page.WaitForSelectorAsync("main[data-live=true]", new() { Timeout = 8000 });
            }
            catch (TimeoutException)
            {
            }

            await page.WaitForTimeoutAsync(700);
            var name = string.Concat(path.Select(c => char.IsLetterOrDigit(c) ? c : '_')).Trim('_');
            var file = Path.Combine(outDir, $"{(name.Length == 0 ? "home" : name)}-{device}-{theme}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            Console.WriteLine($"{file}  ({page.Url})");
        }

        await context.CloseAsync();
    }
}

return 0;
