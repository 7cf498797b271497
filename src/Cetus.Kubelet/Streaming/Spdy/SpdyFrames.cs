namespace Cetus.Kubelet.Streaming.Spdy;

/// <summary>SPDY/3 control frame types (draft 3, section 2.6).</summary>
public enum SpdyControlType : ushort
{
    /// <summary>Opens a stream.</summary>
    SynStream = 1,

    /// <summary>Accepts a stream.</summary>
    SynReply = 2,

    /// <summary>Aborts a stream.</summary>
    RstStream = 3,

    /// <summary>Session parameters.</summary>
    Settings = 4,

    /// <summary>Liveness check, echoed by the receiver.</summary>
    Ping = 6,

    /// <summary>The sender accepts no new streams.</summary>
    GoAway = 7,

    /// <summary>More headers for a stream.</summary>
    Headers = 8,

    /// <summary>Flow-control credit.</summary>
    WindowUpdate = 9,
}

/// <summary>RST_STREAM status codes.</summary>
public enum SpdyRstStatus : uint
{
    /// <summary>Generic error.</summary>
    ProtocolError = 1,

    /// <summary>A frame for a stream that is not active.</summary>
    InvalidStream = 2,

    /// <summary>The stream was refused before any processing.</summary>
    RefusedStream = 3,

    /// <summary>Unsupported SPDY version.</summary>
    UnsupportedVersion = 4,

    /// <summary>The stream is no longer needed.</summary>
    Cancel = 5,

    /// <summary>An internal error.</summary>
    InternalError = 6,

    /// <summary>Flow-control violation.</summary>
    FlowControlError = 7,

    /// <summary>SYN_STREAM for a stream id already open.</summary>
    StreamInUse = 8,

    /// <summary>Data or SYN_REPLY on a half-closed stream.</summary>
    StreamAlreadyClosed = 9,

    /// <summary>Bad client certificate.</summary>
    InvalidCredentials = 10,

    /// <summary>A frame too large to process.</summary>
    FrameTooLarge = 11,
}

/// <summary>GOAWAY status codes.</summary>
public enum SpdyGoAwayStatus : uint
{
    /// <summary>Normal session teardown.</summary>
    Ok = 0,

    /// <summary>Generic error.</summary>
    ProtocolError = 1,

    /// <summary>An internal error.</summary>
    InternalError = 2,
}

/// <summary>One SPDY/3 frame, unpacked.</summary>
public abstract record SpdyFrame;

/// <summary>A data frame: payload for a stream; <paramref name="Fin"/> half-closes the sender's side.</summary>
public sealed record SpdyDataFrame(uint StreamId, bool Fin, ReadOnlyMemory<byte> Data) : SpdyFrame;

/// <summary>SYN_STREAM: opens <paramref name="StreamId"/> (odd from the client, even from the server).</summary>
public sealed record SpdySynStreamFrame(
    uint StreamId, uint AssociatedStreamId, byte Priority, bool Fin, bool Unidirectional, SpdyHeaders Headers) : SpdyFrame;

/// <summary>SYN_REPLY: the receiver accepts the stream.</summary>
public sealed record SpdySynReplyFrame(uint StreamId, bool Fin, SpdyHeaders Headers) : SpdyFrame;

/// <summary>RST_STREAM: the stream ends abnormally, both ways.</summary>
public sealed record SpdyRstStreamFrame(uint StreamId, SpdyRstStatus Status) : SpdyFrame;

/// <summary>One SETTINGS entry (flags, 24-bit id, value).</summary>
public readonly record struct SpdySetting(byte Flags, uint Id, uint Value)
{
    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE.</summary>
    public const uint InitialWindowSize = 7;
}

/// <summary>SETTINGS: session parameters.</summary>
public sealed record SpdySettingsFrame(bool ClearSettings, IReadOnlyList<SpdySetting> Settings) : SpdyFrame;

/// <summary>PING: the receiver echoes a ping the peer started (ids of the other parity); its own come back.</summary>
public sealed record SpdyPingFrame(uint Id) : SpdyFrame;

/// <summary>GOAWAY: the sender starts no new streams and accepts none above <paramref name="LastGoodStreamId"/>.</summary>
public sealed record SpdyGoAwayFrame(uint LastGoodStreamId, SpdyGoAwayStatus Status) : SpdyFrame;

/// <summary>HEADERS: more headers for an open stream.</summary>
public sealed record SpdyHeadersFrame(uint StreamId, bool Fin, SpdyHeaders Headers) : SpdyFrame;

/// <summary>WINDOW_UPDATE: the receiver consumed <paramref name="Delta"/> more bytes of the stream.</summary>
public sealed record SpdyWindowUpdateFrame(uint StreamId, uint Delta) : SpdyFrame;

/// <summary>A malformed frame or a zlib failure: the session cannot continue.</summary>
public sealed class SpdyProtocolException(string message) : IOException(message);
