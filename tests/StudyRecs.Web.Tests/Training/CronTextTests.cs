using StudyRecs.Web.Features.Training;

namespace StudyRecs.Web.Tests.Training;

public class CronTextTests
{
    [Theory]
    [InlineData("0 0 2 * * ?", "every day at 02:00 (server time)")]
    [InlineData("0 30 3 * * ?", "every day at 03:30 (server time)")]
    [InlineData("0 0 * * * ?", "every hour, on the hour")]
    [InlineData("0 15 * * * ?", "every hour at 15 minutes past")]
    [InlineData("0 0 6 ? * MON,FRI", "every Monday, Friday at 06:00 (server time)")]
    [InlineData("0 0/5 * * * ?", "0 0/5 * * * ?")]
    [InlineData("0 0 2 1 * ?", "0 0 2 1 * ?")]
    [InlineData("nonsense", "nonsense")]
    [InlineData(null, "not scheduled")]
    public void Schedules_read_as_words_and_unusual_ones_as_written(string? cron, string expected) =>
        Assert.Equal(expected, CronText.Describe(cron));
}
