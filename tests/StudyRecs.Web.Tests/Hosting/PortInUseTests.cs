using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StudyRecs.Web.Tests.Hosting;

/// <summary>The real portal process started on a port another program holds: one line that says what to do, no stack trace, nothing created.</summary>
public sealed class PortInUseTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("studyrecs-port-").FullName;

    [Fact]
    public async Task A_port_already_in_use_prints_one_line_naming_it_and_how_to_choose_another_and_exits_1()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "StudyRecs.Web.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["Storage__DataDirectory"] = _dataDirectory;
        info.Environment["Database__Provider"] = "Sqlite";
        info.Environment["ConnectionStrings__StudyRecs"] = "";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        var stderr = await error;
        var all = await output + stderr;
        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(
            $"StudyRecs could not start: http://127.0.0.1:{port} is already in use by another program (perhaps another StudyRecs). "
            + "Stop it, or choose another port: dotnet run --project src/StudyRecs.Web --urls http://localhost:5181 (or set ASPNETCORE_URLS).",
            line);
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", all, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dataDirectory, "studyrecs.db")), "Nothing is migrated or seeded before the port is known to be free.");
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);
}
