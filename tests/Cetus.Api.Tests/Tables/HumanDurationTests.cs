using Cetus.Api.Resources.Printing;
using Xunit;

namespace Cetus.Api.Tests.Tables;

public sealed class HumanDurationTests
{
    private const long Minute = 60;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;
    private const long Year = 365 * Day;

    [Theory]
    [InlineData(-3, "<invalid>")]
    [InlineData(-1, "0s")]
    [InlineData(0, "0s")]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(2 * Minute, "2m")]
    [InlineData(3 * Minute + 5, "3m5s")]
    [InlineData(9 * Minute + 59, "9m59s")]
    [InlineData(10 * Minute + 30, "10m")]
    [InlineData(179 * Minute, "179m")]
    [InlineData(3 * Hour, "3h")]
    [InlineData(5 * Hour + 3 * Minute, "5h3m")]
    [InlineData(8 * Hour + 59 * Minute, "8h")]
    [InlineData(47 * Hour, "47h")]
    [InlineData(2 * Day, "2d")]
    [InlineData(3 * Day + 4 * Hour, "3d4h")]
    [InlineData(8 * Day + 4 * Hour, "8d")]
    [InlineData(2 * Year - Day, "729d")]
    [InlineData(2 * Year, "2y")]
    [InlineData(2 * Year + 10 * Day, "2y10d")]
    [InlineData(8 * Year + 100 * Day, "8y")]
    [InlineData(30 * Year, "30y")]
    public void Format_MatchesKubernetesRounding(long seconds, string expected)
    {
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Format_TruncatesFractionsTowardZero()
    {
        Assert.Equal("0s", HumanDuration.Format(TimeSpan.FromSeconds(-1.9)));
        Assert.Equal("3m5s", HumanDuration.Format(TimeSpan.FromSeconds(185.9)));
    }

    [Fact]
    public void Since_UnsetTimestamp_IsUnknown()
    {
        Assert.Equal("<unknown>", HumanDuration.Since(null, TableRow.Now));
        Assert.Equal("<unknown>", HumanDuration.Since(DateTime.MinValue, TableRow.Now));
    }

    [Fact]
    public void Since_TakesUnspecifiedKindAsUtc()
    {
        var unspecified = DateTime.SpecifyKind(TableRow.Ago(TimeSpan.FromMinutes(5)), DateTimeKind.Unspecified);

        Assert.Equal("5m", HumanDuration.Since(unspecified, TableRow.Now));
    }
}
