using System.Net;
using StackExchange.Redis;

namespace StudyRecs.Web.Extensions;

/// <summary>
/// SignalR scale-out for several portal nodes: with <c>SignalR:Redis</c> set (a StackExchange.Redis connection string),
/// the nodes' SignalR messages to groups and users pass through Redis, so a message sent on one node reaches
/// connections held by the others. Off (each node's connections only) when the setting is empty.
/// </summary>
public static class SignalRScaleOut
{
    public const string SettingKey = "SignalR:Redis";

    /// <summary>The Redis channels of the backplane start with this, so other programs on the same Redis are not disturbed.</summary>
    public const string ChannelPrefix = "StudyRecs";

    public static IServiceCollection AddStudyRecsSignalRScaleOut(this IServiceCollection services, IConfiguration configuration)
    {
        if (Parse(configuration[SettingKey]) is { } redis)
        {
            services.AddSignalR().AddStackExchangeRedis(o => o.Configuration = redis);
        }

        return services;
    }

    /// <summary>
    /// The backplane's Redis configuration, or null when the setting is empty. A value that is not a Redis connection
    /// string stops the portal at start with a message naming the key.
    /// </summary>
    public static ConfigurationOptions? Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException e)
        {
            throw Invalid(e.Message);
        }

        if (options.EndPoints.Count == 0)
        {
            throw Invalid("it names no server");
        }

        foreach (var endPoint in options.EndPoints)
        {
            if (endPoint is DnsEndPoint { Host: var host } && (host.Length == 0 || host.Any(char.IsWhiteSpace) || host.Contains('=', StringComparison.Ordinal)))
            {
                throw Invalid($"'{host}' is not a server name");
            }
        }

        options.ChannelPrefix = RedisChannel.Literal(ChannelPrefix);
        // A node starts (and keeps retrying in the background) while Redis is briefly unreachable, instead of failing hub calls for good.
        options.AbortOnConnectFail = false;
        return options;
    }

    private static InvalidOperationException Invalid(string reason) =>
        new($"{SettingKey} is not a Redis connection string ({reason}). Set it like 'redis.example.edu:6379,password=...,ssl=true' "
            + "to pass SignalR messages between portal nodes, or leave it empty for a single node.");
}
