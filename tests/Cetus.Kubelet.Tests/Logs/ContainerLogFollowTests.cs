using Cetus.Kubelet.Logs;
using Xunit;
using static Cetus.Kubelet.Tests.Logs.LogFiles;
using static Cetus.Kubelet.Tests.Probes.TimerClock;

namespace Cetus.Kubelet.Tests.Logs;

/// <summary>
/// Following a CRI log file (kubectl logs -f) on the real clock and real files: new lines arrive live, the follow ends
/// when the container stops (after its last lines), survives rotation, and ends on cancellation.
/// </summary>
public sealed class ContainerLogFollowTests : IDisposable
{
    private readonly LogFiles _files = new();
    private readonly CaptureStream _output = new();
    private volatile bool _running = true;
    private int _checks;

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Follow_SeesLinesAppendedAfterItStarted_AndEndsWhenTheContainerStops()
    {
        var path = _files.Write("0.log", Line("one"));
        var follow = FollowAsync(path, new PodLogOptions { Follow = true });
        await WaitUntilAsync(() => _output.Text == "one\n", "the first line");

        File.AppendAllText(path, Line("two"));
        await WaitUntilAsync(() => _output.Text == "one\ntwo\n", "the appended line");
        Assert.False(follow.IsCompleted);

        // Written just before the container stopped: still read before the follow ends.
        File.AppendAllText(path, Line("three"));
        _running = false;
        await follow.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("one\ntwo\nthree\n", _output.Text);
        Assert.True(_output.Flushes >= 3);
    }

    [Fact]
    public async Task Follow_OfAStoppedContainer_ReadsAllAndEnds()
    {
        _running = false;
        var path = _files.Write("0.log", Line("a") + Line("b"));
        await FollowAsync(path, new PodLogOptions { Follow = true }).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("a\nb\n", _output.Text);
    }

    [Fact]
    public async Task Follow_WithTail_StartsAtTheLastLines()
    {
        var path = _files.Write("0.log", Line("a") + Line("b") + Line("c"));
        var follow = FollowAsync(path, new PodLogOptions { Follow = true, TailLines = 1 });
        await WaitUntilAsync(() => _output.Text == "c\n", "the last line");
        File.AppendAllText(path, Line("d"));
        await WaitUntilAsync(() => _output.Text == "c\nd\n", "the appended line");
        _running = false;
        await follow.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Follow_ALineWrittenInTwoPieces_IsWrittenOnceComplete()
    {
        var path = _files.Write("0.log", "");
        var follow = FollowAsync(path, new PodLogOptions { Follow = true });
        var half = Line("half").TrimEnd('\n');
        File.AppendAllText(path, half[..^2]);
        await WaitForChecksAsync();
        Assert.Equal("", _output.Text);

        File.AppendAllText(path, half[^2..] + "\n" + Line("next", 'P'));
        await WaitUntilAsync(() => _output.Text == "half\n", "the completed line");
        File.AppendAllText(path, Line(" line"));
        await WaitUntilAsync(() => _output.Text == "half\nnext line\n", "the joined line");
        _running = false;
        await follow.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Follow_AcrossRotation_FinishesTheOldFileThenReadsTheNewOne()
    {
        var path = _files.Write("0.log", Line("old 1"));
        var follow = FollowAsync(path, new PodLogOptions { Follow = true });
        await WaitUntilAsync(() => _output.Text == "old 1\n", "the first line");

        // As the log manager and containerd rotate: rename, the runtime still writes to the old file until it
        // reopens the log at the path.
        var rotated = path + ".20260101-120000";
        File.Move(path, rotated);
        await WaitForChecksAsync();
        File.AppendAllText(rotated, Line("old 2"));
        File.WriteAllText(path, Line("new 1"));
        await WaitUntilAsync(() => _output.Text == "old 1\nold 2\nnew 1\n", "the lines of both files");

        File.AppendAllText(path, Line("new 2"));
        await WaitUntilAsync(() => _output.Text.EndsWith("new 1\nnew 2\n", StringComparison.Ordinal), "a line appended to the new file");
        _running = false;
        await follow.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("old 1\nold 2\nnew 1\nnew 2\n", _output.Text);
    }

    [Fact]
    public async Task Follow_WithLimitBytes_EndsAtTheLimit()
    {
        var path = _files.Write("0.log", Line("abc"));
        var follow = FollowAsync(path, new PodLogOptions { Follow = true, LimitBytes = 6 });
        await WaitUntilAsync(() => _output.Text == "abc\n", "the first line");
        File.AppendAllText(path, Line("defgh"));
        await follow.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("abc\nde", _output.Text);
    }

    [Fact]
    public async Task Follow_EndsOnCancellation()
    {
        using var cancel = new CancellationTokenSource();
        var path = _files.Write("0.log", Line("a"));
        var follow = FollowAsync(path, new PodLogOptions { Follow = true }, cancel.Token);
        await WaitUntilAsync(() => _output.Text == "a\n", "the first line");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow.WaitAsync(TimeSpan.FromSeconds(15)));
    }

    private Task FollowAsync(string path, PodLogOptions options, CancellationToken cancellationToken = default) =>
        Task.Run(() => ContainerLogReader.ReadAsync(path, options, _output, _ =>
        {
            Interlocked.Increment(ref _checks);
            return Task.FromResult(_running);
        }, TimeProvider.System, cancellationToken));

    // Two more idle checks mean the follower has read the file at least once after the caller's last write.
    private Task WaitForChecksAsync()
    {
        var seen = Volatile.Read(ref _checks);
        return WaitUntilAsync(() => Volatile.Read(ref _checks) >= seen + 2, "the follower to poll twice");
    }
}
