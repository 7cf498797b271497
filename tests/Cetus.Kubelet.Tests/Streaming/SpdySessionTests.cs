using System.Text;
using Cetus.Kubelet.Streaming.Spdy;
using Xunit;
using static Cetus.Kubelet.Tests.Streaming.SpdyTestKit;

namespace Cetus.Kubelet.Tests.Streaming;

/// <summary>A client-role session against a server-role one over a loopback TCP connection.</summary>
public sealed class SpdySessionTests : IAsyncLifetime
{
    private SpdySession _client = null!;
    private SpdySession _server = null!;

    public async Task InitializeAsync()
    {
        var (client, server) = await LoopbackPairAsync();
        _client = new SpdySession(client, isServer: false).Start();
        _server = new SpdySession(server, isServer: true).Start();
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<(SpdyStream Client, SpdyStream Server)> OpenAsync(SpdyHeaders headers)
    {
        var client = await _client.OpenStreamAsync(headers, fin: false, default);
        var server = await _server.AcceptStreamAsync(default).AsTask().WaitAsync(Deadline);
        Assert.NotNull(server);
        await server.ReplyAsync(null, fin: false, default);
        await client.WaitForReplyAsync(default).WaitAsync(Deadline);
        return (client, server);
    }

    [Fact]
    public async Task SynStream_ReachesTheServer_WithHeaders_AndSynReplyAnswersIt()
    {
        var client = await _client.OpenStreamAsync(Headers(("streamtype", "data"), ("port", "80")), fin: false, default);
        var accepted = await _server.AcceptStreamAsync(default).AsTask().WaitAsync(Deadline);

        Assert.NotNull(accepted);
        Assert.Equal(1u, client.Id);
        Assert.Equal(client.Id, accepted.Id);
        Assert.Equal("data", accepted.Headers.Get("streamType"));
        Assert.Equal("80", accepted.Headers.Get("port"));
        Assert.False(client.WaitForReplyAsync(default).IsCompleted);

        await accepted.ReplyAsync(Headers(("x-answer", "yes")), fin: false, default);
        var reply = await client.WaitForReplyAsync(default).WaitAsync(Deadline);
        Assert.Equal("yes", reply.Get("x-answer"));
    }

    [Fact]
    public async Task ManyStreams_GetIncreasingOddIds_AndTheirHeadersSurviveTheSharedZlibContext()
    {
        for (var i = 0; i < 20; i++)
        {
            var (client, server) = await OpenAsync(Headers(("requestid", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("port", "8080")));
            Assert.Equal((uint)(1 + (2 * i)), client.Id);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), server.Headers.Get("requestID"));
        }
    }

    [Fact]
    public async Task StreamsOpenedConcurrently_ReachTheWireInIdOrder_AndAreAllAccepted()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => _client.OpenStreamAsync(SpdyHeaders.Empty, false, default))));
        var accepted = new List<uint>();
        for (var i = 0; i < 50; i++)
        {
            accepted.Add((await _server.AcceptStreamAsync(default).AsTask().WaitAsync(Deadline))!.Id);
        }
        // A SYN_STREAM with an id lower than one already seen would have been reset instead of accepted.
        Assert.Equal(opened.Select(s => s.Id).Order(), accepted);
        Assert.All(opened, s => Assert.Null(s.ResetStatus));
    }

    [Fact]
    public async Task Data_FlowsBothWays_AndFinEndsEachDirectionSeparately()
    {
        var (client, server) = await OpenAsync(SpdyHeaders.Empty);

        await client.WriteAsync(Ascii("hello "));
        await client.WriteAsync(Ascii("server"));
        await client.CloseWriteAsync(default);
        Assert.Equal("hello server", Encoding.ASCII.GetString(await ReadToEndAsync(server)));

        // The server's direction is still open after the client's FIN.
        var big = RandomBytes(200_000, 7);
        await server.WriteAsync(big);
        await server.CloseWriteAsync(default);
        Assert.Equal(big, await ReadToEndAsync(client));
        await Assert.ThrowsAsync<IOException>(() => client.WriteAsync(Ascii("late")).AsTask());
    }

    [Fact]
    public async Task LargeTransfers_BothWaysAtOnce_DoNotStall()
    {
        var (client, server) = await OpenAsync(SpdyHeaders.Empty);
        var up = RandomBytes(3 * 1024 * 1024, 1);
        var down = RandomBytes(3 * 1024 * 1024, 2);

        var sendUp = Task.Run(async () => { await client.WriteAsync(up); await client.CloseWriteAsync(default); });
        var sendDown = Task.Run(async () => { await server.WriteAsync(down); await server.CloseWriteAsync(default); });
        var receivedUp = ReadToEndAsync(server);
        var receivedDown = ReadToEndAsync(client);

        await Task.WhenAll(sendUp, sendDown).WaitAsync(Deadline);
        Assert.Equal(up, await receivedUp);
        Assert.Equal(down, await receivedDown);
    }

    [Fact]
    public async Task Reset_EndsTheStreamOnBothSides()
    {
        var (client, server) = await OpenAsync(SpdyHeaders.Empty);
        var pendingRead = client.ReadAsync(new byte[10]).AsTask();

        await server.ResetAsync(SpdyRstStatus.Cancel, default);

        var error = await Assert.ThrowsAsync<IOException>(() => pendingRead.WaitAsync(Deadline));
        Assert.Contains("reset", error.Message);
        Assert.Equal(SpdyRstStatus.Cancel, client.ResetStatus);
        await Assert.ThrowsAsync<IOException>(() => client.WriteAsync(Ascii("x")).AsTask());
        await Assert.ThrowsAsync<IOException>(() => server.ReadAsync(new byte[1]).AsTask());
    }

    [Fact]
    public async Task DataBeforeThePeersReset_IsStillRead_ThenTheReadThrows()
    {
        // The upstream kubelet writes an exec's Status on the error stream and then resets every stream.
        var (client, server) = await OpenAsync(SpdyHeaders.Empty);
        await server.WriteAsync(Ascii("status"));
        await server.ResetAsync(SpdyRstStatus.Cancel, default);
        await WaitUntilAsync(() => client.ResetStatus is not null, "the reset to arrive");

        Assert.Equal(Ascii("status"), await ReadExactlyAsync(client, 6));
        var error = await Assert.ThrowsAsync<IOException>(() => client.ReadAsync(new byte[10]).AsTask().WaitAsync(Deadline));
        Assert.Contains("reset", error.Message);
    }

    [Fact]
    public async Task AFinBeforeThePeersReset_EndsReadsNormally()
    {
        var (client, server) = await OpenAsync(SpdyHeaders.Empty);
        await server.WriteAsync(Ascii("x"));
        await server.CloseWriteAsync(default);
        await server.ResetAsync(SpdyRstStatus.Cancel, default);
        await WaitUntilAsync(() => client.ResetStatus is not null, "the reset to arrive");

        Assert.Equal(Ascii("x"), await ReadToEndAsync(client));
    }

    [Fact]
    public async Task DataBeforeTheSessionEnds_IsStillRead_ThenTheReadThrows()
    {
        var (client, server) = await OpenAsync(SpdyHeaders.Empty);
        await server.WriteAsync(Ascii("tail"));
        await _server.DisposeAsync();
        await _client.Completion.WaitAsync(Deadline);

        Assert.Equal(Ascii("tail"), await ReadExactlyAsync(client, 4));
        await Assert.ThrowsAsync<IOException>(() => client.ReadAsync(new byte[10]).AsTask().WaitAsync(Deadline));
    }

    [Fact]
    public async Task ResetBeforeReply_FailsTheOpenersWait()
    {
        var client = await _client.OpenStreamAsync(SpdyHeaders.Empty, fin: false, default);
        var server = await _server.AcceptStreamAsync(default).AsTask().WaitAsync(Deadline);
        await server!.ResetAsync(SpdyRstStatus.RefusedStream, default);

        await Assert.ThrowsAsync<IOException>(() => client.WaitForReplyAsync(default).WaitAsync(Deadline));
        Assert.Equal(SpdyRstStatus.RefusedStream, client.ResetStatus);
    }

    [Fact]
    public async Task Pings_AreAnswered_InBothDirections()
    {
        await _client.PingAsync(default).WaitAsync(Deadline);
        await _server.PingAsync(default).WaitAsync(Deadline);
        await _client.PingAsync(default).WaitAsync(Deadline);
    }

    [Fact]
    public async Task GoAway_StopsAcceptingStreams()
    {
        var pendingAccept = _server.AcceptStreamAsync(default).AsTask();
        await _client.GoAwayAsync(SpdyGoAwayStatus.Ok, default);

        Assert.Null(await pendingAccept.WaitAsync(Deadline));
        await _server.GoAwayReceived.WaitAsync(Deadline);
        await Assert.ThrowsAsync<IOException>(() => _client.OpenStreamAsync(SpdyHeaders.Empty, false, default));
    }

    [Fact]
    public async Task ClosedTransport_EndsTheSession_AndPendingReads()
    {
        var (client, server) = await OpenAsync(SpdyHeaders.Empty);
        var pendingRead = server.ReadAsync(new byte[10]).AsTask();
        var pendingAccept = _server.AcceptStreamAsync(default).AsTask();

        await _client.DisposeAsync();

        await _server.Completion.WaitAsync(Deadline);
        Assert.True(_server.Ended);
        Assert.Null(await pendingAccept.WaitAsync(Deadline));
        await Assert.ThrowsAsync<IOException>(() => pendingRead.WaitAsync(Deadline));
        await Assert.ThrowsAsync<IOException>(() => server.WriteAsync(Ascii("x")).AsTask());
        _ = client;
    }
}

/// <summary>A server-role session fed raw frames, as from a misbehaving or hostile peer.</summary>
public sealed class SpdySessionRawTests
{
    [Fact]
    public async Task SynStreamWithAServerId_IsResetAsAProtocolError_AndTheSessionGoesOn()
    {
        var (raw, transport) = await LoopbackPairAsync();
        await using var server = new SpdySession(transport, isServer: true).Start();
        using var writer = new SpdyFrameWriter();
        using var reader = new SpdyFrameReader(raw);

        await raw.WriteAsync(writer.Encode(new SpdySynStreamFrame(2, 0, 0, false, false, SpdyHeaders.Empty)));
        Assert.Equal(new SpdyRstStreamFrame(2, SpdyRstStatus.ProtocolError), await reader.ReadAsync(default).AsTask().WaitAsync(Deadline));

        await raw.WriteAsync(writer.Encode(new SpdySynStreamFrame(1, 0, 0, false, false, Headers(("a", "b")))));
        var accepted = await server.AcceptStreamAsync(default).AsTask().WaitAsync(Deadline);
        Assert.Equal("b", accepted!.Headers.Get("a"));

        // A repeated id is refused too.
        await raw.WriteAsync(writer.Encode(new SpdySynStreamFrame(1, 0, 0, false, false, SpdyHeaders.Empty)));
        Assert.Equal(new SpdyRstStreamFrame(1, SpdyRstStatus.StreamInUse), await reader.ReadAsync(default).AsTask().WaitAsync(Deadline));

        await raw.WriteAsync(writer.Encode(new SpdyPingFrame(5)));
        Assert.Equal(new SpdyPingFrame(5), await reader.ReadAsync(default).AsTask().WaitAsync(Deadline));
        raw.Dispose();
    }

    public static TheoryData<string, byte[]> Garbage => new()
    {
        { "bad version", [0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01] },
        { "huge length then end", [0x00, 0x00, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff, 0x01] },
        { "short frame then end", [0x80, 0x03] },
        { "header block that is not zlib", [0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4] },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task MalformedInput_EndsTheSessionCleanly(string name, byte[] bytes)
    {
        var (raw, transport) = await LoopbackPairAsync();
        await using var server = new SpdySession(transport, isServer: true).Start();
        var pendingAccept = server.AcceptStreamAsync(default).AsTask();

        await raw.WriteAsync(bytes);
        if (name.EndsWith("then end", StringComparison.Ordinal))
        {
            raw.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }

        await server.Completion.WaitAsync(Deadline);
        Assert.True(server.Ended, name);
        Assert.Null(await pendingAccept.WaitAsync(Deadline));
        // The server closed the transport: the peer reads to its end (a GOAWAY first for a protocol error it could read).
        var rest = await ReadToEndAsync(raw);
        Assert.True(rest.Length is 0 or 16, $"{name}: {Convert.ToHexString(rest)}");
        if (rest.Length == 16)
        {
            Assert.Equal([0x80, 0x03, 0x00, 0x07], rest[..4]);
            Assert.Equal(1, rest[^1]);
        }
        raw.Dispose();
    }
}
