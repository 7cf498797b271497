using System.Buffers.Binary;
using System.Text;

namespace Cetus.Kubelet.Streaming.Spdy;

/// <summary>
/// SPDY/3 wire format (draft 3, section 2.2): an 8-byte header — control bit, version 3 and type, or a 31-bit stream id
/// for data; then flags and a 24-bit length — and the payload. Header blocks are a 32-bit pair count and 32-bit
/// length-prefixed names and values, compressed by the session's zlib context of that direction.
/// </summary>
internal static class SpdyWire
{
    public const ushort Version = 3;
    public const int HeaderLength = 8;
    public const int MaxLength = (1 << 24) - 1;
    public const byte FlagFin = 0x01;
    public const byte FlagUnidirectional = 0x02;

    /// <summary>The largest decompressed header block accepted (the kubelet's are a few dozen bytes).</summary>
    public const int MaxHeaderBlock = 256 * 1024;

    public static byte[] EncodeHeaderBlock(SpdyHeaders headers)
    {
        var buffer = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, headers.Count);
        buffer.Write(number);
        foreach (var (name, value) in headers)
        {
            foreach (var text in new[] { name, value })
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt32BigEndian(number, bytes.Length);
                buffer.Write(number);
                buffer.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    public static SpdyHeaders DecodeHeaderBlock(ReadOnlySpan<byte> block)
    {
        var count = ReadLength(ref block);
        var pairs = new List<KeyValuePair<string, string>>(Math.Min(count, 64));
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(ref block);
            var value = ReadString(ref block);
            if (name.Length == 0)
            {
                throw new SpdyProtocolException("empty header name");
            }
            pairs.Add(new(name, value));
        }
        if (!block.IsEmpty)
        {
            throw new SpdyProtocolException("bytes after the header block's last pair");
        }
        try
        {
            return new SpdyHeaders(pairs);
        }
        catch (ArgumentException)
        {
            throw new SpdyProtocolException("repeated header name");
        }
    }

    private static int ReadLength(ref ReadOnlySpan<byte> block)
    {
        if (block.Length < 4)
        {
            throw new SpdyProtocolException("truncated header block");
        }
        var value = BinaryPrimitives.ReadUInt32BigEndian(block);
        block = block[4..];
        return value <= (uint)block.Length ? (int)value : throw new SpdyProtocolException("header block length past its end");
    }

    private static string ReadString(ref ReadOnlySpan<byte> block)
    {
        var length = ReadLength(ref block);
        var text = Encoding.UTF8.GetString(block[..length]);
        block = block[length..];
        return text;
    }

    public static uint StreamId(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff;
}

/// <summary>Encodes frames; owns the sending direction's compression context, so the caller serializes calls.</summary>
internal sealed class SpdyFrameWriter : IDisposable
{
    private readonly ZlibCompressor _compressor = new();

    /// <summary>The frame's bytes (for data frames: the 8-byte header only; the payload follows it on the wire).</summary>
    public byte[] Encode(SpdyFrame frame) => frame switch
    {
        SpdyDataFrame data => Header(data.StreamId & 0x7fffffff, data.Fin ? SpdyWire.FlagFin : (byte)0, data.Data.Length),
        SpdySynStreamFrame syn => Control(SpdyControlType.SynStream, Flags(syn.Fin, syn.Unidirectional), payload =>
        {
            Write32(payload, syn.StreamId);
            Write32(payload, syn.AssociatedStreamId);
            payload.WriteByte((byte)((syn.Priority & 0x7) << 5));
            payload.WriteByte(0);
            payload.Write(_compressor.Compress(SpdyWire.EncodeHeaderBlock(syn.Headers)));
        }),
        SpdySynReplyFrame reply => Control(SpdyControlType.SynReply, Flags(reply.Fin, false), payload =>
        {
            Write32(payload, reply.StreamId);
            payload.Write(_compressor.Compress(SpdyWire.EncodeHeaderBlock(reply.Headers)));
        }),
        SpdyHeadersFrame headers => Control(SpdyControlType.Headers, Flags(headers.Fin, false), payload =>
        {
            Write32(payload, headers.StreamId);
            payload.Write(_compressor.Compress(SpdyWire.EncodeHeaderBlock(headers.Headers)));
        }),
        SpdyRstStreamFrame rst => Control(SpdyControlType.RstStream, 0, payload =>
        {
            Write32(payload, rst.StreamId);
            Write32(payload, (uint)rst.Status);
        }),
        SpdySettingsFrame settings => Control(SpdyControlType.Settings, settings.ClearSettings ? (byte)1 : (byte)0, payload =>
        {
            Write32(payload, (uint)settings.Settings.Count);
            foreach (var setting in settings.Settings)
            {
                Write32(payload, ((uint)setting.Flags << 24) | (setting.Id & 0xffffff));
                Write32(payload, setting.Value);
            }
        }),
        SpdyPingFrame ping => Control(SpdyControlType.Ping, 0, payload => Write32(payload, ping.Id)),
        SpdyGoAwayFrame goAway => Control(SpdyControlType.GoAway, 0, payload =>
        {
            Write32(payload, goAway.LastGoodStreamId);
            Write32(payload, (uint)goAway.Status);
        }),
        SpdyWindowUpdateFrame window => Control(SpdyControlType.WindowUpdate, 0, payload =>
        {
            Write32(payload, window.StreamId);
            Write32(payload, window.Delta & 0x7fffffff);
        }),
        _ => throw new ArgumentException($"unknown frame {frame.GetType().Name}", nameof(frame)),
    };

    private static byte Flags(bool fin, bool unidirectional) =>
        (byte)((fin ? SpdyWire.FlagFin : 0) | (unidirectional ? SpdyWire.FlagUnidirectional : 0));

    private static byte[] Control(SpdyControlType type, byte flags, Action<MemoryStream> writePayload)
    {
        var buffer = new MemoryStream();
        buffer.Write(new byte[SpdyWire.HeaderLength]);
        writePayload(buffer);
        var bytes = buffer.ToArray();
        var length = bytes.Length - SpdyWire.HeaderLength;
        BinaryPrimitives.WriteUInt16BigEndian(bytes, 0x8000 | SpdyWire.Version);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)type);
        WriteFlagsAndLength(bytes, flags, length);
        return bytes;
    }

    private static byte[] Header(uint first, byte flags, int length)
    {
        var bytes = new byte[SpdyWire.HeaderLength];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, first);
        WriteFlagsAndLength(bytes, flags, length);
        return bytes;
    }

    private static void WriteFlagsAndLength(byte[] bytes, byte flags, int length)
    {
        if (length > SpdyWire.MaxLength)
        {
            throw new ArgumentException($"frame payload of {length} bytes exceeds SPDY's 24-bit length");
        }
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), ((uint)flags << 24) | (uint)length);
    }

    private static void Write32(MemoryStream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }

    public void Dispose() => _compressor.Dispose();
}

/// <summary>Decodes frames from a transport; owns the receiving direction's decompression context (one reader).</summary>
internal sealed class SpdyFrameReader(Stream transport) : IDisposable
{
    private readonly ZlibDecompressor _decompressor = new();
    private readonly byte[] _header = new byte[SpdyWire.HeaderLength];

    /// <summary>The next frame; null at a clean end of the transport (between frames); unknown control types are skipped.</summary>
    /// <exception cref="SpdyProtocolException">A truncated or malformed frame, or a header block zlib cannot read.</exception>
    public async ValueTask<SpdyFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await FillAsync(_header, cancellationToken, allowEof: true))
            {
                return null;
            }
            var first = BinaryPrimitives.ReadUInt32BigEndian(_header);
            var flags = _header[4];
            var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4)) & 0xffffff);
            var payload = new byte[length];
            await FillAsync(payload, cancellationToken, allowEof: false);
            if ((first & 0x80000000) == 0)
            {
                return new SpdyDataFrame(first, (flags & SpdyWire.FlagFin) != 0, payload);
            }
            var version = (first >> 16) & 0x7fff;
            if (version != SpdyWire.Version)
            {
                throw new SpdyProtocolException($"unsupported SPDY version {version}");
            }
            var frame = DecodeControl((SpdyControlType)(first & 0xffff), flags, payload);
            if (frame is not null)
            {
                return frame;
            }
        }
    }

    private SpdyFrame? DecodeControl(SpdyControlType type, byte flags, byte[] payload)
    {
        var fin = (flags & SpdyWire.FlagFin) != 0;
        switch (type)
        {
            case SpdyControlType.SynStream:
                Require(payload, 10, exact: false, type);
                return new SpdySynStreamFrame(
                    SpdyWire.StreamId(payload), SpdyWire.StreamId(payload.AsSpan(4)), (byte)(payload[8] >> 5), fin,
                    (flags & SpdyWire.FlagUnidirectional) != 0, Headers(payload.AsSpan(10)));
            case SpdyControlType.SynReply:
                Require(payload, 4, exact: false, type);
                return new SpdySynReplyFrame(SpdyWire.StreamId(payload), fin, Headers(payload.AsSpan(4)));
            case SpdyControlType.Headers:
                Require(payload, 4, exact: false, type);
                return new SpdyHeadersFrame(SpdyWire.StreamId(payload), fin, Headers(payload.AsSpan(4)));
            case SpdyControlType.RstStream:
                Require(payload, 8, exact: true, type);
                return new SpdyRstStreamFrame(SpdyWire.StreamId(payload), (SpdyRstStatus)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)));
            case SpdyControlType.Settings:
                Require(payload, 4, exact: false, type);
                var count = BinaryPrimitives.ReadUInt32BigEndian(payload);
                if ((ulong)payload.Length != 4 + (8UL * count))
                {
                    throw new SpdyProtocolException($"SETTINGS of {count} entries in {payload.Length} bytes");
                }
                var settings = new List<SpdySetting>((int)count);
                for (var offset = 4; offset < payload.Length; offset += 8)
                {
                    var idAndFlags = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(offset));
                    settings.Add(new((byte)(idAndFlags >> 24), idAndFlags & 0xffffff, BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(offset + 4))));
                }
                return new SpdySettingsFrame((flags & 1) != 0, settings);
            case SpdyControlType.Ping:
                Require(payload, 4, exact: true, type);
                return new SpdyPingFrame(BinaryPrimitives.ReadUInt32BigEndian(payload));
            case SpdyControlType.GoAway:
                Require(payload, 8, exact: true, type);
                return new SpdyGoAwayFrame(SpdyWire.StreamId(payload), (SpdyGoAwayStatus)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)));
            case SpdyControlType.WindowUpdate:
                Require(payload, 8, exact: true, type);
                return new SpdyWindowUpdateFrame(SpdyWire.StreamId(payload), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)) & 0x7fffffff);
            default:
                // Draft 3, 2.2.1: a receiver ignores control frames of types it does not know (CREDENTIAL, NOOP).
                return null;
        }
    }

    private SpdyHeaders Headers(ReadOnlySpan<byte> compressed) =>
        SpdyWire.DecodeHeaderBlock(_decompressor.Decompress(compressed, SpdyWire.MaxHeaderBlock));

    private static void Require(byte[] payload, int length, bool exact, SpdyControlType type)
    {
        if (exact ? payload.Length != length : payload.Length < length)
        {
            throw new SpdyProtocolException($"{type} frame of {payload.Length} bytes");
        }
    }

    private async ValueTask<bool> FillAsync(byte[] buffer, CancellationToken cancellationToken, bool allowEof)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await transport.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                if (read == 0 && allowEof)
                {
                    return false;
                }
                throw new SpdyProtocolException($"transport ended inside a frame ({read} of {buffer.Length} bytes)");
            }
            read += n;
        }
        return true;
    }

    public void Dispose() => _decompressor.Dispose();
}
