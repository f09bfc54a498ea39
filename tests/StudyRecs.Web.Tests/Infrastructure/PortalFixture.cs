namespace StudyRecs.Web.Tests.Infrastructure;

/// <summary>One portal (and database) shared by the tests of a class.</summary>
public sealed class PortalFixture : IDisposable
{
    public PortalFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}
