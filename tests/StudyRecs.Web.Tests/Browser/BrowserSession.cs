using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Browser;

/// <summary>
/// The portal on a real Kestrel port plus one headless Chromium (Debian's, driven by Playwright), shared by a test class.
/// </summary>
public sealed class BrowserSession : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? ChromiumPath
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("STUDYRECS_CHROMIUM") is { Length: > 0 } p ? p : DefaultChromium;
            return File.Exists(path) ? path : null;
        }
    }

    private IPlaywright? playwright;

    public PortalFactory Portal { get; } = new();

    public IBrowser Browser { get; private set; } = default!;

    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var chromium = ChromiumPath ?? throw new InvalidOperationException(
            $"CI=true but no Chromium at {DefaultChromium}: .ci/run must install Debian's chromium before the tests.");
        Portal.UseKestrel(0);
        Portal.StartServer();
        BaseUrl = Portal.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A laptop screen, the default viewport.</summary>
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };

    /// <summary>A small phone held upright (iPhone SE), the narrowest screen the portal is laid out for.</summary>
    public static readonly ViewportSize Phone = new() { Width = 375, Height = 667 };

    /// <summary>A fresh browser context (own cookies) with JavaScript off: every page must work without it.</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = false, ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            JavaScriptEnabled = javaScript,
            ViewportSize = viewport ?? Desktop,
            IsMobile = viewport == Phone,
            HasTouch = viewport == Phone,
        });
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Waits until the page's live connection has started (the layout marks <c>main[data-live=true]</c>): clicks before
    /// that reach nobody. Only for pages that run live; static pages keep <c>data-live="false"</c>.
    /// </summary>
    public static Task WaitForLiveAsync(IPage page, float timeoutMs = 30_000) =>
        page.WaitForSelectorAsync("main[data-live=true]", new PageWaitForSelectorOptions { Timeout = timeoutMs });

    /// <summary>Saves a screenshot of the whole page under TestResults/screenshots (for people to look at) and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"{string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'))}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        return file;
    }

    /// <summary>Runs a browser step; on failure saves a screenshot under TestResults/screenshots and rethrows.</summary>
    public static async Task WithScreenshotOnFailureAsync(IPage page, string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch
        {
            Console.Error.WriteLine($"Screenshot of the failing page: {await ScreenshotAsync(page, name)}");
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        Portal.Dispose();
    }
}
