using StudyRecs.Web.Extensions;

// The copied appsettings.json sits beside the binaries, both under `dotnet run` and after publish.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddStudyRecsPortal();

var app = builder.Build();
app.UseStudyRecsPortal();
return await app.RunPortalAsync();

/// <summary>Entry point; public for the integration tests' WebApplicationFactory.</summary>
public partial class Program;
