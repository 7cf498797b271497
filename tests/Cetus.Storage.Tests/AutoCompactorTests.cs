using Xunit;

namespace Cetus.Storage.Tests;

public sealed class AutoCompactorTests
{
    private static readonly CompactionOptions Options = new() { MinRetainedRevisions = 1000 };

    [Theory]
    [InlineData(5000, 9000, 0, 5000)] // discards what is older than the previous run
    [InlineData(5000, 5500, 0, 4500)] // but keeps the last 1,000 revisions
    [InlineData(100, 900, 0, 0)]      // nothing old enough yet
    [InlineData(5000, 9000, 5000, 0)] // already compacted there
    [InlineData(5000, 9000, 6000, 0)] // never moves back
    public void Target_KeepsAnIntervalAndTheMinimumOfHistory(long previousRun, long current, long compacted, long expected)
    {
        Assert.Equal(expected, AutoCompactor.Target(previousRun, current, compacted, Options));
    }
}
