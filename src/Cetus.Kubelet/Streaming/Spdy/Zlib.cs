using System.Runtime.InteropServices;

namespace Cetus.Kubelet.Streaming.Spdy;

/// <summary>
/// One direction of SPDY/3 header compression: a zlib stream (the machine's libz.so.1) primed with
/// <see cref="SpdyDictionary"/> and kept for the whole session, each header block ended by a sync flush so the peer
/// can decode it at once. System.IO.Compression cannot set a preset dictionary, hence the native calls.
/// Not thread-safe: the session uses the compressor under its write lock and the decompressor on its read loop.
/// </summary>
internal abstract class ZlibContext : IDisposable
{
    // z_stream on LP64 Linux (x64, arm64): next_in 0, avail_in 8, total_in 16, next_out 24, avail_out 32, total_out 40,
    // msg 48, state 56, zalloc 64, zfree 72, opaque 80, data_type 88, adler 96, reserved 104; 112 bytes in all.
    private const int StreamSize = 112;
    private const int NextInOffset = 0;
    private const int AvailInOffset = 8;
    private const int NextOutOffset = 24;
    private const int AvailOutOffset = 32;
    private const int MsgOffset = 48;

    protected const int ZOk = 0;
    protected const int ZStreamEnd = 1;
    protected const int ZNeedDict = 2;
    protected const int ZBufError = -5;
    protected const int ZSyncFlush = 2;

    private const string Library = "libz.so.1";

    // zlib keeps a pointer back to its z_stream and refuses calls from a moved copy, so the struct lives in native memory.
    private IntPtr _stream;

    protected ZlibContext()
    {
        if (IntPtr.Size != 8)
        {
            throw new PlatformNotSupportedException("SPDY header compression needs a 64-bit zlib z_stream layout.");
        }
        _stream = Marshal.AllocHGlobal(StreamSize);
        Marshal.Copy(new byte[StreamSize], 0, _stream, StreamSize);
    }

    protected IntPtr Stream => _stream != IntPtr.Zero ? _stream : throw new ObjectDisposedException(GetType().Name);

    protected static IntPtr Version => zlibVersion();

    /// <summary>Runs <paramref name="step"/> over <paramref name="input"/> until it is consumed and no output is pending.</summary>
    protected byte[] Run(ReadOnlySpan<byte> input, int maxOutput, Func<int> step)
    {
        var inputArray = input.ToArray();
        var output = new MemoryStream();
        var chunk = new byte[Math.Max(256, Math.Min(inputArray.Length * 4, 64 * 1024))];
        var inHandle = GCHandle.Alloc(inputArray, GCHandleType.Pinned);
        var outHandle = GCHandle.Alloc(chunk, GCHandleType.Pinned);
        try
        {
            Marshal.WriteIntPtr(Stream, NextInOffset, inHandle.AddrOfPinnedObject());
            Marshal.WriteInt32(Stream, AvailInOffset, inputArray.Length);
            while (true)
            {
                Marshal.WriteIntPtr(Stream, NextOutOffset, outHandle.AddrOfPinnedObject());
                Marshal.WriteInt32(Stream, AvailOutOffset, chunk.Length);
                var result = step();
                var produced = chunk.Length - Marshal.ReadInt32(Stream, AvailOutOffset);
                output.Write(chunk, 0, produced);
                if (output.Length > maxOutput)
                {
                    throw new SpdyProtocolException($"header block larger than {maxOutput} bytes");
                }
                if (result == ZBufError || result == ZStreamEnd)
                {
                    break;
                }
                if (result != ZOk)
                {
                    throw new SpdyProtocolException($"zlib error {result}: {Message()}");
                }
                if (Marshal.ReadInt32(Stream, AvailInOffset) == 0 && produced < chunk.Length)
                {
                    break;
                }
            }
            if (Marshal.ReadInt32(Stream, AvailInOffset) != 0)
            {
                throw new SpdyProtocolException("zlib stopped before the end of the header block");
            }
            return output.ToArray();
        }
        finally
        {
            // zlib must not keep pointers into buffers that are about to be unpinned.
            Marshal.WriteIntPtr(Stream, NextInOffset, IntPtr.Zero);
            Marshal.WriteIntPtr(Stream, NextOutOffset, IntPtr.Zero);
            inHandle.Free();
            outHandle.Free();
        }
    }

    protected void Check(int result, string operation)
    {
        if (result != ZOk)
        {
            throw new SpdyProtocolException($"zlib {operation} failed ({result}): {Message()}");
        }
    }

    private string Message()
    {
        var message = Marshal.ReadIntPtr(Stream, MsgOffset);
        return message == IntPtr.Zero ? "no message" : Marshal.PtrToStringUTF8(message) ?? "no message";
    }

    protected abstract void End(IntPtr stream);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_stream == IntPtr.Zero)
        {
            return;
        }
        End(_stream);
        Marshal.FreeHGlobal(_stream);
        _stream = IntPtr.Zero;
    }

    ~ZlibContext() => Dispose(false);

    /// <summary>zlib's Adler-32 (the dictionary id a zlib header names).</summary>
    public static uint Adler32(ReadOnlySpan<byte> data)
    {
        var array = data.ToArray();
        return (uint)adler32(adler32(0, null, 0), array, (uint)array.Length);
    }

#pragma warning disable SA1300, IDE1006, CA5392 // zlib's names; libz.so.1 is the system library, found by the loader
    [DllImport(Library)]
    private static extern IntPtr zlibVersion();

    [DllImport(Library)]
    private static extern nuint adler32(nuint adler, byte[]? buffer, uint length);

    [DllImport(Library)]
    protected static extern int deflateInit_(IntPtr stream, int level, IntPtr version, int streamSize);

    [DllImport(Library)]
    protected static extern int deflateSetDictionary(IntPtr stream, byte[] dictionary, uint length);

    [DllImport(Library)]
    protected static extern int deflate(IntPtr stream, int flush);

    [DllImport(Library)]
    protected static extern int deflateEnd(IntPtr stream);

    [DllImport(Library)]
    protected static extern int inflateInit_(IntPtr stream, IntPtr version, int streamSize);

    [DllImport(Library)]
    protected static extern int inflateSetDictionary(IntPtr stream, byte[] dictionary, uint length);

    [DllImport(Library)]
    protected static extern int inflate(IntPtr stream, int flush);

    [DllImport(Library)]
    protected static extern int inflateEnd(IntPtr stream);
#pragma warning restore SA1300, IDE1006, CA5392

    protected static int SizeOfStream => StreamSize;
}

/// <summary>Compresses this side's header blocks (one deflate stream for the whole session).</summary>
internal sealed class ZlibCompressor : ZlibContext
{
    private const int BestCompression = 9;

    public ZlibCompressor()
    {
        Check(deflateInit_(Stream, BestCompression, Version, SizeOfStream), "deflateInit");
        var dictionary = SpdyDictionary.Bytes.ToArray();
        Check(deflateSetDictionary(Stream, dictionary, (uint)dictionary.Length), "deflateSetDictionary");
    }

    /// <summary>The compressed form of one header block, ending on a sync-flush boundary.</summary>
    public byte[] Compress(ReadOnlySpan<byte> block) => Run(block, int.MaxValue, () => deflate(Stream, ZSyncFlush));

    protected override void End(IntPtr stream) => deflateEnd(stream);
}

/// <summary>Decompresses the peer's header blocks (one inflate stream for the whole session).</summary>
internal sealed class ZlibDecompressor : ZlibContext
{
    private readonly byte[] _dictionary = SpdyDictionary.Bytes.ToArray();

    public ZlibDecompressor() => Check(inflateInit_(Stream, Version, SizeOfStream), "inflateInit");

    /// <summary>The header block carried by one frame's compressed bytes.</summary>
    public byte[] Decompress(ReadOnlySpan<byte> compressed, int maxOutput) => Run(compressed, maxOutput, () =>
    {
        var result = inflate(Stream, ZSyncFlush);
        // The first block's zlib header names the dictionary; inflate asks for it once and is then called again.
        return result == ZNeedDict ? inflateSetDictionary(Stream, _dictionary, (uint)_dictionary.Length) : result;
    });

    protected override void End(IntPtr stream) => inflateEnd(stream);
}
