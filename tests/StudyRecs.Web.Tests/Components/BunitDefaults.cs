using System.Runtime.CompilerServices;
using Bunit;

namespace StudyRecs.Web.Tests.Components;

/// <summary>Settings of every bUnit context in this test assembly.</summary>
internal static class BunitDefaults
{
    /// <summary>
    /// "WaitFor" waits up to 30 s unless a test says otherwise (bUnit's default is 1 s): CI runs these tests on a
    /// loaded 2-core machine against PostgreSQL, where a page's load can take seconds. A wait ends as soon as its
    /// assertion passes, so this only lengthens failures.
    /// </summary>
#pragma warning disable CA2255 // A test assembly's own start-up, not a library's.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseLoadTolerantWaits() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(30);
}
