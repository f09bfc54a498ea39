namespace StudyRecs.Web.Tests.Browser;

/// <summary>
/// A browser test: skipped with the reason when no Chromium is installed, except under CI=true,
/// where a missing browser must fail the run instead of hiding the tests.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (BrowserSession.ChromiumPath is null && !BrowserSession.IsCi)
        {
            Skip = $"No Chromium at {BrowserSession.DefaultChromium} (install Debian's chromium, or set STUDYRECS_CHROMIUM); browser tests skipped.";
        }
    }
}

public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        if (BrowserSession.ChromiumPath is null && !BrowserSession.IsCi)
        {
            Skip = $"No Chromium at {BrowserSession.DefaultChromium} (install Debian's chromium, or set STUDYRECS_CHROMIUM); browser tests skipped.";
        }
    }
}
