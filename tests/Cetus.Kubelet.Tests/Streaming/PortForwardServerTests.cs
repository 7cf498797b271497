using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cetus.Kubelet.Streaming.PortForward;
using Cetus.Kubelet.Streaming.Spdy;
using Cetus.Kubelet.Tests.Probes;
using Xunit;
using static Cetus.Kubelet.Tests.Streaming.SpdyTestKit;

namespace Cetus.Kubelet.Tests.Streaming;

/// <summary>
/// The kubelet's port-forward session end to end: a client-role SPDY session doing what kubectl does (an error
/// stream it half-closes at once, then a data stream, both with the same requestID) against
/// <see cref="PortForwardServer"/>, which connects to a loopback echo server.
/// </summary>
public sealed class PortForwardServerTests : IAsyncLifetime
{
    private readonly EchoServer _echo = new();
    private readonly CancellationTokenSource _stop = new();
    private NetworkStream _clientTransport = null!;
    private SpdySession _client = null!;
    private Task _serve = null!;
    private int _nextRequest;

    public async Task InitializeAsync() => await StartAsync(EchoServer.ConnectAsync, new PortForwardOptions(PodName: "web", PodUid: "uid-1"));

    private async Task StartAsync(Func<int, CancellationToken, Task<Stream>> connect, PortForwardOptions options)
    {
        var (client, server) = await LoopbackPairAsync();
        _clientTransport = client;
        _client = new SpdySession(client, isServer: false).Start();
        _serve = PortForwardServer.ServeAsync(server, connect, options, null, _stop.Token);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _serve.WaitAsync(Deadline);
        await _echo.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>kubectl's handleConnection: error stream (closed for writing at once), then the data stream.</summary>
    private async Task<(SpdyStream Error, SpdyStream Data)> ForwardAsync(int port)
    {
        var requestId = Interlocked.Increment(ref _nextRequest).ToString(CultureInfo.InvariantCulture);
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var error = await _client.OpenStreamAsync(Headers(("streamtype", "error"), ("port", portText), ("requestid", requestId)), false, default);
        await error.WaitForReplyAsync(default).WaitAsync(Deadline);
        await error.CloseWriteAsync(default);
        var data = await _client.OpenStreamAsync(Headers(("streamtype", "data"), ("port", portText), ("requestid", requestId)), false, default);
        await data.WaitForReplyAsync(default).WaitAsync(Deadline);
        return (error, data);
    }

    [Fact]
    public async Task OneForward_EchoesData_AndEndsCleanlyAfterTheClientsFin()
    {
        var (error, data) = await ForwardAsync(_echo.Port);

        await data.WriteAsync(Ascii("ping"));
        Assert.Equal("ping", Encoding.ASCII.GetString(await ReadExactlyAsync(data, 4)));
        await data.WriteAsync(Ascii(" again"));
        await data.CloseWriteAsync(default);

        // The FIN reaches the pod's socket as end of input; the echo server closes, and so do both streams.
        Assert.Equal(" again", Encoding.ASCII.GetString(await ReadToEndAsync(data)));
        Assert.Empty(await ReadToEndAsync(error));
        await WaitUntilAsync(() => _echo.ClosedByPeer == 1, "the echo connection to end");
        Assert.Equal(1, _echo.Accepted);
    }

    [Fact]
    public async Task EightForwards_RunInParallel()
    {
        var forwards = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ForwardAsync(_echo.Port)));
        var payloads = Enumerable.Range(0, 8).Select(i => RandomBytes(100_000 + i, i)).ToArray();

        await Task.WhenAll(forwards.Select(async (f, i) =>
        {
            var received = ReadToEndAsync(f.Data);
            await f.Data.WriteAsync(payloads[i]);
            await f.Data.CloseWriteAsync(default);
            Assert.Equal(payloads[i], await received);
            Assert.Empty(await ReadToEndAsync(f.Error));
        })).WaitAsync(Deadline);
        Assert.Equal(8, _echo.Accepted);
    }

    [Fact]
    public async Task OneMebibyte_EachWay_DoesNotStallOnFlowControl()
    {
        var (_, data) = await ForwardAsync(_echo.Port);
        var payload = RandomBytes(1024 * 1024, 42);

        var received = ReadToEndAsync(data);
        await data.WriteAsync(payload).AsTask().WaitAsync(Deadline);
        await data.CloseWriteAsync(default);

        Assert.Equal(payload, await received);
    }

    [Fact]
    public async Task ConnectFailure_IsWrittenToTheErrorStream_AndTheSessionServesTheNextPair()
    {
        var closedPort = ClosedPort();
        var (error, data) = await ForwardAsync(closedPort);

        var message = Encoding.UTF8.GetString(await ReadToEndAsync(error));
        Assert.StartsWith($"error forwarding port {closedPort} to pod web, uid uid-1: ", message);
        Assert.Contains("refused", message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await ReadToEndAsync(data));

        var (_, next) = await ForwardAsync(_echo.Port);
        await next.WriteAsync(Ascii("still here"));
        Assert.Equal("still here", Encoding.ASCII.GetString(await ReadExactlyAsync(next, 10)));
    }

    public static TheoryData<string, string?, string?> BadHeaders => new()
    {
        { "no port", null, "data" },
        { "port not a number", "http", "data" },
        { "port 0", "0", "data" },
        { "port above 65535", "65536", "error" },
        { "no stream type", "80", null },
        { "unknown stream type", "80", "resize" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public async Task BadHeaders_ResetTheStream_AndTheSessionGoesOn(string name, string? port, string? streamType)
    {
        var headers = new List<(string, string)> { ("requestid", "bad") };
        if (port is not null)
        {
            headers.Add(("port", port));
        }
        if (streamType is not null)
        {
            headers.Add(("streamtype", streamType));
        }
        var stream = await _client.OpenStreamAsync(Headers([.. headers]), false, default);

        await Assert.ThrowsAsync<IOException>(() => stream.WaitForReplyAsync(default).WaitAsync(Deadline));
        Assert.Equal(SpdyRstStatus.Cancel, stream.ResetStatus);

        var (_, data) = await ForwardAsync(_echo.Port);
        await data.WriteAsync(Ascii(name));
        Assert.Equal(name, Encoding.ASCII.GetString(await ReadExactlyAsync(data, name.Length)));
    }

    [Fact]
    public async Task SecondStreamOfTheSameType_IsReportedOnThePairsErrorStream()
    {
        var error = await _client.OpenStreamAsync(Headers(("streamtype", "error"), ("port", "80"), ("requestid", "x")), false, default);
        await error.WaitForReplyAsync(default).WaitAsync(Deadline);
        var again = await _client.OpenStreamAsync(Headers(("streamtype", "error"), ("port", "80"), ("requestid", "x")), false, default);

        var expected = "error processing stream for request x: error stream already assigned";
        Assert.Equal(expected, Encoding.UTF8.GetString(await ReadExactlyAsync(error, expected.Length)));
        await WaitUntilAsync(() => again.ResetStatus is not null, "the duplicate stream to be reset");
    }

    [Fact]
    public async Task ClientDisconnect_ClosesEveryBackendConnection_AndEndsTheSession()
    {
        var forwards = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ForwardAsync(_echo.Port)));
        foreach (var (_, data) in forwards)
        {
            await data.WriteAsync(Ascii("up"));
            Assert.Equal("up", Encoding.ASCII.GetString(await ReadExactlyAsync(data, 2)));
        }
        Assert.Equal(0, _echo.ClosedByPeer);

        // The connection just drops: no FIN, no GOAWAY.
        _clientTransport.Socket.Close(0);

        await _serve.WaitAsync(Deadline);
        await WaitUntilAsync(() => _echo.ClosedByPeer == 3, "the three backend connections to be closed");
    }

    [Fact]
    public async Task GoAway_EndsTheSession_AndClosesBackends()
    {
        var (_, data) = await ForwardAsync(_echo.Port);
        await data.WriteAsync(Ascii("up"));
        Assert.Equal("up", Encoding.ASCII.GetString(await ReadExactlyAsync(data, 2)));

        await _client.GoAwayAsync(SpdyGoAwayStatus.Ok, default);

        await _serve.WaitAsync(Deadline);
        await WaitUntilAsync(() => _echo.ClosedByPeer == 1, "the backend connection to be closed");
    }

    [Fact]
    public async Task Cancellation_ReturnsNormally_AndClosesBackends()
    {
        var (_, data) = await ForwardAsync(_echo.Port);
        await data.WriteAsync(Ascii("up"));
        Assert.Equal("up", Encoding.ASCII.GetString(await ReadExactlyAsync(data, 2)));

        await _stop.CancelAsync();

        await _serve.WaitAsync(Deadline);
        await WaitUntilAsync(() => _echo.ClosedByPeer == 1, "the backend connection to be closed");
        await _client.Completion.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Cancellation_ReturnsEvenWhenTheClientStoppedReading()
    {
        var (_, data) = await ForwardAsync(_echo.Port);
        // The client writes and never reads: the echoes fill every buffer on the way back until the kubelet's writes block.
        var flood = Task.Run(async () =>
        {
            var chunk = RandomBytes(64 * 1024, 3);
            for (var i = 0; i < 1024; i++)
            {
                await data.WriteAsync(chunk);
            }
        });
        // 64 MiB cannot all fit in the buffers on the way back (1 MiB per SPDY stream, the sockets' own): the echoed
        // count stops growing once the kubelet's writes toward the client block.
        var last = -1L;
        var stableSince = DateTime.UtcNow;
        await WaitUntilAsync(
            () =>
            {
                var now = _echo.BytesEchoed;
                if (now != last)
                {
                    (last, stableSince) = (now, DateTime.UtcNow);
                }
                return now > 0 && DateTime.UtcNow - stableSince > TimeSpan.FromMilliseconds(500);
            },
            "the echoes to stop flowing");
        Assert.False(flood.IsCompleted);

        await _stop.CancelAsync();

        await _serve.WaitAsync(Deadline);
        await WaitUntilAsync(() => _echo.ClosedByPeer == 1, "the backend connection to be closed");
        await Assert.ThrowsAnyAsync<Exception>(() => flood.WaitAsync(Deadline));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The pair timeout, on a manual clock.</summary>
public sealed class PortForwardServerTimeoutTests
{
    [Fact]
    public async Task LonelyErrorStream_GetsTheTimeoutMessage_AfterTheStreamCreationTimeout()
    {
        var clock = new TimerClock();
        var (client, server) = await LoopbackPairAsync();
        await using var session = new SpdySession(client, isServer: false).Start();
        using var stop = new CancellationTokenSource();
        var connects = 0;
        var serve = PortForwardServer.ServeAsync(
            server,
            (_, _) => { Interlocked.Increment(ref connects); throw new InvalidOperationException("not expected"); },
            new PortForwardOptions(StreamCreationTimeout: TimeSpan.FromSeconds(30), Time: clock),
            null,
            stop.Token);

        var error = await session.OpenStreamAsync(Headers(("streamtype", "error"), ("port", "80"), ("requestid", "7")), false, default);
        await error.WaitForReplyAsync(default).WaitAsync(Deadline);
        var due = clock.GetUtcNow() + TimeSpan.FromSeconds(30);
        await clock.WaitForTimerAsync(due);
        var message = ReadToEndAsync(error);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Contains(due, clock.DueTimes);
        Assert.False(message.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.DoesNotContain(due, clock.DueTimes);
        Assert.Equal("(request=7) timed out waiting for streams", Encoding.UTF8.GetString(await message));
        Assert.Equal(0, connects);
        await stop.CancelAsync();
        await serve.WaitAsync(Deadline);
    }
}
