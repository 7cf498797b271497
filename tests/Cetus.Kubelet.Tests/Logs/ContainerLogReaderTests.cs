using System.Text;
using Cetus.Kubelet.Logs;
using Xunit;
using static Cetus.Kubelet.Tests.Logs.LogFiles;

namespace Cetus.Kubelet.Tests.Logs;

/// <summary>Reading a CRI log file once (no follow): content, partial lines, tail, since, limitBytes, timestamps.</summary>
public sealed class ContainerLogReaderTests : IDisposable
{
    private readonly LogFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Read_WritesTheContentOfEachLine_BothStreams()
    {
        Assert.Equal("out 1\nerr 1\n\nout 2\n", await ReadAsync(Line("out 1") + Line("err 1", stream: "stderr") + Line("") + Line("out 2")));
    }

    [Fact]
    public async Task Read_JoinsPartialLines()
    {
        var log = Line("hel", 'P') + Line("lo ", 'P') + Line("world") + Line("next");
        Assert.Equal("hello world\nnext\n", await ReadAsync(log));
    }

    [Fact]
    public async Task Read_UnknownTagsAfterTheFirst_AreIgnored()
    {
        Assert.Equal("ab\n", await ReadAsync(Line("a", 'P').Replace(" P ", " P:x ", StringComparison.Ordinal) + Line("b").Replace(" F ", " F:y ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Read_Timestamps_PrefixEachLineWithItsFixedWidthTimestamp_AJoinedLineWithItsFirst()
    {
        var log = Line("one", seconds: 1.5) + Line("tw", 'P', seconds: 2) + Line("o", seconds: 3);
        Assert.Equal("2026-01-01T12:00:01.500000000Z one\n2026-01-01T12:00:02.000000000Z two\n", await ReadAsync(log, new PodLogOptions { Timestamps = true }));
    }

    [Fact]
    public async Task Read_Since_DropsOlderLines()
    {
        var log = Line("a", seconds: 0) + Line("b", seconds: 1) + Line("c", seconds: 2);
        Assert.Equal("b\nc\n", await ReadAsync(log, new PodLogOptions { SinceTime = T0.AddSeconds(1) }));
        Assert.Equal("", await ReadAsync(log, new PodLogOptions { SinceTime = T0.AddSeconds(3) }));
    }

    [Theory]
    [InlineData(1, "h")]
    [InlineData(6, "hello\n")]
    [InlineData(8, "hello\nwo")]
    [InlineData(1000, "hello\nworld\n")]
    public async Task Read_LimitBytes_CutsTheOutput(long limit, string expected)
    {
        Assert.Equal(expected, await ReadAsync(Line("hello") + Line("world"), new PodLogOptions { LimitBytes = limit }));
    }

    [Fact]
    public async Task Read_LimitBytes_CountsTheTimestampPrefix()
    {
        Assert.Equal("2026-01-01T12:00:00.000000000Z h", await ReadAsync(Line("hello"), new PodLogOptions { LimitBytes = 32, Timestamps = true }));
    }

    [Theory]
    [InlineData(0L, "")]
    [InlineData(1L, "d\n")]
    [InlineData(2L, "c\nd\n")]
    [InlineData(4L, "a\nb\nc\nd\n")]
    [InlineData(10L, "a\nb\nc\nd\n")]
    public async Task Read_TailLines_LastLines(long tail, string expected)
    {
        Assert.Equal(expected, await ReadAsync(Line("a") + Line("b") + Line("c") + Line("d"), new PodLogOptions { TailLines = tail }));
    }

    [Fact]
    public async Task Read_TailLines_CountsJoinedLines_NotFragments()
    {
        var log = Line("a") + Line("b1", 'P') + Line("b2", 'P') + Line("b3") + Line("c");
        Assert.Equal("b1b2b3\nc\n", await ReadAsync(log, new PodLogOptions { TailLines = 2 }));
    }

    [Fact]
    public async Task Read_TailLines_OfAFileMuchBiggerThanTheReadBuffer()
    {
        var log = new StringBuilder();
        for (var i = 0; i < 6000; i++)
        {
            log.Append(Line($"line {i} {new string('x', i % 150)}"));
        }

        Assert.True(log.Length > 8 * 64 * 1024);
        var lines = (await ReadAsync(log.ToString(), new PodLogOptions { TailLines = 2500 })).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2500, lines.Length);
        Assert.Equal($"line 3500 {new string('x', 3500 % 150)}", lines[0]);
        Assert.Equal($"line 5999 {new string('x', 5999 % 150)}", lines[^1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(4096)]
    public void FindTailStart_IsTheSameForEveryBlockSize(int blockSize)
    {
        var log = Line("a") + Line("bb", 'P') + Line("b") + Line("ccc") + "garbage\n" + Line("d");
        var path = _files.Write("0.log", log);
        using var file = File.OpenHandle(path);
        var starts = Enumerable.Range(0, 7).Select(n => ContainerLogReader.FindTailStart(file, n, blockSize)).ToList();
        var length = Encoding.UTF8.GetByteCount(log);
        var d = length - Line("d").Length;
        var garbage = d - "garbage\n".Length;
        var c = garbage - Line("ccc").Length;
        var b = c - Line("b").Length - Line("bb", 'P').Length;
        Assert.Equal([length, d, garbage, c, b, 0, 0], starts);
    }

    [Fact]
    public async Task Read_MalformedLines_ArePassedThrough()
    {
        var log = "not a CRI line\n" + Line("ok") + "2026-01-01T12:00:00Z stdin F odd stream\n";
        Assert.Equal("not a CRI line\nok\n2026-01-01T12:00:00Z stdin F odd stream\n", await ReadAsync(log));
    }

    [Fact]
    public async Task Read_AnUnfinishedLastLine_IsWrittenWithoutNewline()
    {
        Assert.Equal("a\nhal", await ReadAsync(Line("a") + Line("hal").TrimEnd('\n')));
        Assert.Equal("a\nhal", await ReadAsync(Line("a") + Line("hal", 'P')));
    }

    [Fact]
    public async Task Read_AnEmptyFile_WritesNothing()
    {
        Assert.Equal("", await ReadAsync(""));
        Assert.Equal("", await ReadAsync("", new PodLogOptions { TailLines = 5 }));
    }

    [Fact]
    public async Task Read_AMissingFile_IsFileNotFound()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => ContainerLogReader.ReadAsync(_files.PathOf("none.log"), new PodLogOptions(), Stream.Null, _ => Task.FromResult(false), TimeProvider.System, CancellationToken.None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => ContainerLogReader.ReadAsync(_files.PathOf("no/such/dir.log"), new PodLogOptions(), Stream.Null, _ => Task.FromResult(false), TimeProvider.System, CancellationToken.None));
    }

    [Fact]
    public async Task Read_WithoutFollow_NeverAsksWhetherTheContainerRuns()
    {
        var path = _files.Write("0.log", Line("a"));
        var output = new CaptureStream();
        await ContainerLogReader.ReadAsync(path, new PodLogOptions(), output, _ => throw new InvalidOperationException("asked"), TimeProvider.System, CancellationToken.None);
        Assert.Equal("a\n", output.Text);
        Assert.True(output.Flushes >= 1);
    }

    private async Task<string> ReadAsync(string log, PodLogOptions? options = null)
    {
        var path = _files.Write("0.log", log);
        var output = new CaptureStream();
        await ContainerLogReader.ReadAsync(path, options ?? new PodLogOptions(), output, _ => Task.FromResult(false), TimeProvider.System, CancellationToken.None);
        return output.Text;
    }
}
