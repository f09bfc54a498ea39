using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace StudyRecs.Web.Extensions;

/// <summary>Starts the portal, and turns a start-up failure an operator can fix (a port already in use) into one line that says how.</summary>
public static class PortalHosting
{
    /// <summary>
    /// Checks that the portal's addresses are free before anything is migrated or seeded, prepares the database and runs
    /// until shut down. Returns 0 on a clean stop, 1 when a port is taken (with one line on standard error, no stack trace).
    /// </summary>
    public static async Task<int> RunPortalAsync(this WebApplication app)
    {
        if (TakenAddress(app.Configuration) is { } taken)
        {
            await Console.Error.WriteLineAsync(PortInUseMessage(taken));
            return 1;
        }

        await app.PrepareDatabaseAsync();
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            // Another program took the port between the check and the bind.
            await Console.Error.WriteLineAsync(PortInUseMessage(ex.Message));
            return 1;
        }
    }

    internal static string PortInUseMessage(string address) =>
        $"StudyRecs could not start: {address} is already in use by another program (perhaps another StudyRecs). "
        + "Stop it, or choose another port: dotnet run --project src/StudyRecs.Web --urls http://localhost:5181 (or set ASPNETCORE_URLS).";

    /// <summary>The first configured address (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>Kestrel:Endpoints</c>) that another socket holds.</summary>
    internal static string? TakenAddress(IConfiguration configuration)
    {
        foreach (var url in ConfiguredUrls(configuration))
        {
            if (!TryEndPoint(url, out var endPoint))
            {
                continue;
            }

            try
            {
                var listener = new TcpListener(endPoint);
                listener.Start();
                listener.Stop();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return url;
            }
        }

        return null;
    }

    private static IEnumerable<string> ConfiguredUrls(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>();
        return urls.Length == 0 && !endpoints.Any() ? ["http://localhost:5000"] : urls.Concat(endpoints);
    }

    private static bool TryEndPoint(string url, out IPEndPoint endPoint)
    {
        endPoint = null!;
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return false; // Kestrel reports a malformed address itself.
        }

        if (address.IsUnixPipe || address.Port == 0)
        {
            return false;
        }

        IPAddress? ip = address.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" => IPAddress.Any,
            var host => IPAddress.TryParse(host.Trim('[', ']'), out var parsed) ? parsed : null,
        };
        if (ip is null)
        {
            return false;
        }

        endPoint = new IPEndPoint(ip, address.Port);
        return true;
    }
}
