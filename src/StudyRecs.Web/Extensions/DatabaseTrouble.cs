using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace StudyRecs.Web.Extensions;

/// <summary>
/// A database that is locked (another SQLite writer past the busy timeout) or unreachable (PostgreSQL down, network
/// gone) is a passing condition, not a bug: callers get 503 with <c>Retry-After</c> (Problem Details on the API, a
/// short page for people) instead of a 500, and the next request after the database returns simply works; nothing
/// is kept between requests.
/// </summary>
internal static partial class DatabaseTrouble
{
    /// <summary>Seconds a caller is asked to wait; SQLite's default busy timeout is 10 s, a restarting server takes about as long.</summary>
    public const int RetryAfterSeconds = 10;

    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN (the file is not reachable).
    private static readonly int[] SqliteUnavailable = [5, 6, 14];

    public static IApplicationBuilder UseDatabaseTroubleAnswers(this IApplicationBuilder app, Func<PathString, bool> isApi) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (IsDatabaseUnavailable(e) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseTrouble));
            LogUnavailable(logger, context.Request.Method, context.Request.Path, e.GetBaseException().Message);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            if (isApi(context.Request.Path))
            {
                await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable",
                    detail: $"The database is busy or cannot be reached. Nothing was changed by this request; try again in {RetryAfterSeconds} seconds.")
                    .ExecuteAsync(context);
                return;
            }

            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(FriendlyPage, context.RequestAborted);
        }
    });

    /// <summary>True when the exception, or one it wraps, says the database is locked or out of reach.</summary>
    public static bool IsDatabaseUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException sqlite when SqliteUnavailable.Contains(sqlite.SqliteErrorCode):
                case DbException { IsTransient: true }:
                case SocketException:
                    return true;
            }
        }

        return false;
    }

    private const string FriendlyPage = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1.0" /><meta http-equiv="refresh" content="10" />
        <title>Back in a moment · StudyRecs</title><link rel="stylesheet" href="/css/site.css" /></head>
        <body><main style="max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
        <h1>StudyRecs is back in a moment</h1>
        <p>The portal cannot reach its database right now (it is busy or being restarted). Nothing you sent was lost half-way:
        whatever you were doing was not saved, so you can simply do it again.</p>
        <p>This page tries again by itself in 10 seconds, or <a href="">reload it</a>.</p>
        </main></body>
        </html>
        """;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable during {Method} {Path}; answered 503: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);
}
