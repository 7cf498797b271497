using Cetus.Kubelet.Logs;
using Xunit;

namespace Cetus.Kubelet.Tests.Logs;

/// <summary>The kubelet's reading of the /containerLogs query string and of CRI timestamps.</summary>
public sealed class PodLogOptionsTests
{
    private readonly ManualTime _time = new();

    [Fact]
    public void Parse_ReadsEveryOption()
    {
        Assert.True(PodLogOptions.TryParse("?follow=true&tailLines=10&limitBytes=100&timestamps=1&previous=false&sinceTime=2026-01-01T11%3A00%3A00Z", _time, out var options, out var error), error);
        Assert.Equal(new PodLogOptions { Follow = true, TailLines = 10, LimitBytes = 100, Timestamps = true, Previous = false, SinceTime = new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.Zero) }, options);
    }

    [Fact]
    public void Parse_EmptyQuery_ReadsEverything()
    {
        Assert.True(PodLogOptions.TryParse(null, _time, out var options, out _));
        Assert.Equal(new PodLogOptions(), options);
        Assert.True(PodLogOptions.TryParse("", _time, out options, out _));
        Assert.Equal(new PodLogOptions(), options);
    }

    [Fact]
    public void Parse_SinceSeconds_IsRelativeToTheClock()
    {
        Assert.True(PodLogOptions.TryParse("sinceSeconds=30", _time, out var options, out _));
        Assert.Equal(_time.GetUtcNow().AddSeconds(-30), options.SinceTime);
        Assert.True(PodLogOptions.TryParse("sinceSeconds=9223372036854775807", _time, out options, out _));
        Assert.Equal(DateTimeOffset.MinValue, options.SinceTime);
    }

    [Theory]
    [InlineData("follow=false", false)]
    [InlineData("follow=FALSE", false)]
    [InlineData("follow=0", false)]
    [InlineData("follow=true", true)]
    [InlineData("follow=1", true)]
    [InlineData("follow", true)]
    public void Parse_Booleans_AsKubernetesQueryConversion(string query, bool follow)
    {
        Assert.True(PodLogOptions.TryParse(query, _time, out var options, out _));
        Assert.Equal(follow, options.Follow);
    }

    [Theory]
    [InlineData("tailLines=-1", "tailLines: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("limitBytes=0", "limitBytes: Invalid value: 0: must be greater than 0")]
    [InlineData("sinceSeconds=0", "sinceSeconds: Invalid value: 0: must be greater than 0")]
    [InlineData("tailLines=ten", "tailLines: Invalid value: \"ten\": must be an integer")]
    [InlineData("limitBytes=99999999999999999999", "limitBytes: Invalid value: \"99999999999999999999\": must be an integer")]
    [InlineData("sinceSeconds=5&sinceTime=2026-01-01T11:00:00Z", "at most one of `sinceTime` or `sinceSeconds` may be specified")]
    [InlineData("sinceTime=yesterday", "sinceTime: Invalid value: \"yesterday\"")]
    [InlineData("sinceTime=2026-13-01T11:00:00Z", "sinceTime: Invalid value")]
    public void Parse_BadValues_GiveAClearError(string query, string message)
    {
        Assert.False(PodLogOptions.TryParse(query, _time, out var options, out var error));
        Assert.Null(options);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-01-02T03:04:05.123456789Z", "2026-01-02T03:04:05.123456789Z")]
    [InlineData("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000000000Z")]
    [InlineData("2026-01-02T03:04:05.5Z", "2026-01-02T03:04:05.500000000Z")]
    [InlineData("2026-01-02T03:04:05.000000001+02:00", "2026-01-02T03:04:05.000000001+02:00")]
    [InlineData("2026-01-02T03:04:05.1-00:00", "2026-01-02T03:04:05.100000000Z")]
    public void Timestamp_IsPrintedAsUpstreamsRfc3339NanoFixed(string written, string printed)
    {
        Assert.True(LogTimestamp.TryParse(written, out var timestamp));
        Assert.Equal(printed, timestamp.ToString());
    }

    [Theory]
    [InlineData("2026-01-02 03:04:05Z")]
    [InlineData("2026-01-02T03:04:05.1234567890Z")]
    [InlineData("2026-01-02T03:04:05")]
    [InlineData("2026-02-30T03:04:05Z")]
    [InlineData("2026-01-02T03:04:05.Z")]
    public void Timestamp_Malformed_IsRefused(string written) => Assert.False(LogTimestamp.TryParse(written, out _));

    [Fact]
    public void Timestamp_KeepsTheInstant()
    {
        Assert.True(LogTimestamp.TryParse("2026-01-02T05:04:05.25+02:00", out var timestamp));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 250, TimeSpan.Zero), timestamp.Time);
    }
}
