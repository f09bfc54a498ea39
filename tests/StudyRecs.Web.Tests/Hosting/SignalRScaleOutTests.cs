using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StudyRecs.Web.Extensions;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Hosting;

/// <summary>A test that needs a Redis server: skipped, with the reason, unless STUDYRECS_TEST_REDIS names one (CI starts one).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public const string Variable = "STUDYRECS_TEST_REDIS";

    public RedisFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"No Redis server: set {Variable} to a Redis connection string such as 127.0.0.1:6379 (CI does); skipped.";
        }
    }
}

/// <summary>
/// <c>SignalR:Redis</c>: empty, each node keeps its SignalR messages to itself; set, they go through Redis to every node;
/// not a Redis connection string, the portal does not start and says which key is wrong.
/// </summary>
public sealed class SignalRScaleOutTests
{
    /// <summary>The hub of Blazor Server's interactive pages (the portal's only SignalR hub).</summary>
    private static readonly Type ComponentHub =
        Type.GetType("Microsoft.AspNetCore.Components.Server.ComponentHub, Microsoft.AspNetCore.Components.Server", throwOnError: true)!;

    private static readonly string AllChannel = SignalRScaleOut.ChannelPrefix + ComponentHub.FullName + ":all";

    private static object HubLifetimeManager(PortalFactory portal) =>
        portal.Services.GetRequiredService(typeof(HubLifetimeManager<>).MakeGenericType(ComponentHub));

    [Fact]
    public void Without_the_setting_a_node_keeps_its_SignalR_messages_to_itself()
    {
        using var portal = new PortalFactory();
        Assert.Equal(typeof(DefaultHubLifetimeManager<>).MakeGenericType(ComponentHub), HubLifetimeManager(portal).GetType());
    }

    [Fact]
    public void With_the_setting_SignalR_messages_go_through_the_named_Redis_under_the_portals_channel_prefix()
    {
        // Nothing listens on port 1: the node starts anyway and keeps trying to reach Redis in the background.
        using var portal = new PortalFactory { Settings = { [SignalRScaleOut.SettingKey] = "127.0.0.1:1,connectTimeout=500" } };
        Assert.Equal(typeof(RedisHubLifetimeManager<>).MakeGenericType(ComponentHub), HubLifetimeManager(portal).GetType());
        var redis = portal.Services.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration;
        Assert.Equal("127.0.0.1:1", Assert.Single(redis.EndPoints).ToString());
        Assert.Equal(RedisChannel.Literal(SignalRScaleOut.ChannelPrefix), redis.ChannelPrefix);
        Assert.False(redis.AbortOnConnectFail);
    }

    [Theory]
    [InlineData("redis.example.edu:6379,colour=blue", "Keyword 'colour' is not supported")]
    [InlineData("password=secret", "it names no server")]
    [InlineData("not a server", "'not a server' is not a server name")]
    public void A_value_that_is_not_a_Redis_connection_string_stops_the_portal_naming_the_key(string value, string reason)
    {
        using var portal = new PortalFactory { Settings = { [SignalRScaleOut.SettingKey] = value } };
        var error = Assert.ThrowsAny<Exception>(() => portal.Services);
        while (error is not InvalidOperationException && error.InnerException is { } inner)
        {
            error = inner;
        }

        Assert.StartsWith("SignalR:Redis is not a Redis connection string (", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("leave it empty for a single node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_setting_is_no_scale_out()
    {
        Assert.Null(SignalRScaleOut.Parse(null));
        Assert.Null(SignalRScaleOut.Parse(" "));
    }

    [RedisFact]
    public async Task Two_nodes_listen_on_one_Redis_channel_and_a_message_sent_to_every_page_on_one_node_is_published_there()
    {
        var server = Environment.GetEnvironmentVariable(RedisFactAttribute.Variable)!;
        using var node1 = new PortalFactory { Settings = { [SignalRScaleOut.SettingKey] = server } };
        using var node2 = new PortalFactory { Settings = { [SignalRScaleOut.SettingKey] = server } };
        var manager1 = HubLifetimeManager(node1);
        _ = HubLifetimeManager(node2);

        await using var watcher = await ConnectionMultiplexer.ConnectAsync(server);
        var redis = watcher.GetServer(watcher.GetEndPoints()[0]);

        // Both nodes subscribe to the channel of messages for every connection of the hub (on their own connections to Redis).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long listeners;
        while ((listeners = await ListenersAsync(redis)) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{listeners} node(s) listen on {AllChannel} after 30 s; expected both.");
            await Task.Delay(100);
        }

        var received = new TaskCompletionSource<RedisValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        await watcher.GetSubscriber().SubscribeAsync(RedisChannel.Literal(AllChannel), (_, message) => received.TrySetResult(message));
        var send = (Task)manager1.GetType().GetMethod(nameof(HubLifetimeManager<Hub>.SendAllAsync))!
            .Invoke(manager1, ["refresh", new object?[] { "two-node" }, CancellationToken.None])!;
        await send;
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("two-node", System.Text.Encoding.UTF8.GetString((byte[])message!), StringComparison.Ordinal);
    }

    private static async Task<long> ListenersAsync(IServer redis)
    {
        var answer = await redis.ExecuteAsync("PUBSUB", "NUMSUB", AllChannel);
        return (long)((RedisResult[])answer!)[1];
    }
}
