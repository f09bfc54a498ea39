using StudyRecs.Learning;

namespace StudyRecs.Learning.Tests;

public class EngineInfoTests
{
    [Fact]
    public void Format_version_is_positive() => Assert.True(EngineInfo.FormatVersion >= 1);
}
