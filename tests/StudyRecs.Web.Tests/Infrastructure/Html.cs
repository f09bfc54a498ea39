using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace StudyRecs.Web.Tests.Infrastructure;

internal static class Html
{
    private static readonly HtmlParser Parser = new();

    public static IDocument Parse(string html) => Parser.ParseDocument(html);

    public static async Task<IDocument> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}");
        return Parse(await response.Content.ReadAsStringAsync());
    }
}

internal static class Redirects
{
    /// <summary>Where a redirect sends the browser, as a local path and query; fails when it leaves the portal.</summary>
    public static string LocalTarget(HttpResponseMessage response)
    {
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        if (!location.IsAbsoluteUri)
        {
            return location.OriginalString;
        }

        Assert.Equal("localhost", location.Host);
        return location.PathAndQuery;
    }
}
