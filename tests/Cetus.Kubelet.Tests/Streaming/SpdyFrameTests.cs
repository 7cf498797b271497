using System.Buffers.Binary;
using Cetus.Kubelet.Streaming.Spdy;
using Xunit;

namespace Cetus.Kubelet.Tests.Streaming;

/// <summary>The SPDY/3 wire format of every frame type, and what malformed input does.</summary>
public sealed class SpdyFrameTests
{
    private static readonly SpdyHeaders SomeHeaders = SpdyTestKit.Headers(("streamtype", "data"), ("port", "8080"), ("requestid", "7"));

    public static TheoryData<string> ControlFrames => new() { "syn_stream", "syn_reply", "rst", "settings", "ping", "goaway", "headers", "window_update" };

    private static SpdyFrame Sample(string name) => name switch
    {
        "syn_stream" => new SpdySynStreamFrame(5, 3, 7, Fin: true, Unidirectional: true, SomeHeaders),
        "syn_reply" => new SpdySynReplyFrame(5, Fin: true, SomeHeaders),
        "rst" => new SpdyRstStreamFrame(5, SpdyRstStatus.FlowControlError),
        "settings" => new SpdySettingsFrame(true, [new(1, SpdySetting.InitialWindowSize, 65536), new(0, 4, 100)]),
        "ping" => new SpdyPingFrame(0xfffffffe),
        "goaway" => new SpdyGoAwayFrame(9, SpdyGoAwayStatus.InternalError),
        "headers" => new SpdyHeadersFrame(5, Fin: false, SomeHeaders),
        "window_update" => new SpdyWindowUpdateFrame(5, 0x7fffffff),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(ControlFrames))]
    public async Task ControlFrame_RoundTrips(string name)
    {
        var frame = Sample(name);
        using var writer = new SpdyFrameWriter();
        var bytes = writer.Encode(frame);
        // Control bit, version 3, the type, and a length that covers exactly the rest.
        Assert.Equal(0x8003, BinaryPrimitives.ReadUInt16BigEndian(bytes));
        Assert.Equal(bytes.Length - 8, (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4)) & 0xffffff));

        using var reader = new SpdyFrameReader(new MemoryStream(bytes));
        var decoded = await reader.ReadAsync(CancellationToken.None);
        Assert.Equal(Normalize(frame), Normalize(decoded!));
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public void FixedLayouts_MatchTheDraft()
    {
        using var writer = new SpdyFrameWriter();
        Assert.Equal(
            [0x80, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x05],
            writer.Encode(new SpdyRstStreamFrame(5, SpdyRstStatus.Cancel)));
        Assert.Equal(
            [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01],
            writer.Encode(new SpdyPingFrame(1)));
        Assert.Equal(
            [0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x02],
            writer.Encode(new SpdyDataFrame(3, true, new byte[] { 1, 2 })));
        var syn = writer.Encode(new SpdySynStreamFrame(1, 0, 0, false, false, SpdyHeaders.Empty));
        Assert.Equal([0x80, 0x03, 0x00, 0x01, 0x00], syn[..5]);
        Assert.Equal([0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], syn[8..18]);
    }

    [Fact]
    public async Task DataFrames_AndSeveralHeaderBlocks_DecodeInOrder()
    {
        using var writer = new SpdyFrameWriter();
        var wire = new MemoryStream();
        var frames = new SpdyFrame[]
        {
            new SpdySynStreamFrame(1, 0, 0, false, false, SomeHeaders),
            new SpdyDataFrame(1, false, SpdyTestKit.RandomBytes(70_000, 1)),
            new SpdySynStreamFrame(3, 0, 0, false, false, SomeHeaders),
            new SpdyDataFrame(3, true, ReadOnlyMemory<byte>.Empty),
            new SpdySynReplyFrame(1, false, SpdyHeaders.Empty),
        };
        foreach (var frame in frames)
        {
            wire.Write(writer.Encode(frame));
            if (frame is SpdyDataFrame data)
            {
                wire.Write(data.Data.Span);
            }
        }
        wire.Position = 0;
        using var reader = new SpdyFrameReader(wire);
        foreach (var frame in frames)
        {
            Assert.Equal(Normalize(frame), Normalize((await reader.ReadAsync(CancellationToken.None))!));
        }
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "truncated header", [0x80, 0x03, 0x00] },
        { "truncated payload", [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00] },
        { "huge length, short data", [0x00, 0x00, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff, 0x01, 0x02] },
        { "version 2", [0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01] },
        { "ping of 3 bytes", [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01] },
        { "settings count past end", [0x80, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x10, 0x00] },
        { "syn_stream without a header block", [0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedInput_IsAProtocolError(string name, byte[] bytes)
    {
        using var reader = new SpdyFrameReader(new MemoryStream(bytes));
        var error = await Assert.ThrowsAsync<SpdyProtocolException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
        Assert.False(string.IsNullOrEmpty(error.Message), name);
    }

    [Fact]
    public async Task UnknownControlType_IsSkipped()
    {
        using var writer = new SpdyFrameWriter();
        var bytes = new byte[] { 0x80, 0x03, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb }.Concat(writer.Encode(new SpdyPingFrame(3))).ToArray();
        using var reader = new SpdyFrameReader(new MemoryStream(bytes));
        Assert.Equal(new SpdyPingFrame(3), await reader.ReadAsync(CancellationToken.None));
    }

    /// <summary>A comparable rendering (headers and payloads by content).</summary>
    private static string Normalize(SpdyFrame frame) => frame switch
    {
        SpdyDataFrame d => $"data {d.StreamId} fin={d.Fin} {Convert.ToHexString(d.Data.Span)}",
        SpdySynStreamFrame s => $"syn {s.StreamId} {s.AssociatedStreamId} {s.Priority} {s.Fin} {s.Unidirectional} {Render(s.Headers)}",
        SpdySynReplyFrame r => $"reply {r.StreamId} {r.Fin} {Render(r.Headers)}",
        SpdyHeadersFrame h => $"headers {h.StreamId} {h.Fin} {Render(h.Headers)}",
        SpdySettingsFrame s => $"settings {s.ClearSettings} {string.Join(";", s.Settings)}",
        _ => frame.ToString(),
    };

    private static string Render(SpdyHeaders headers) => string.Join(";", headers.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));
}
