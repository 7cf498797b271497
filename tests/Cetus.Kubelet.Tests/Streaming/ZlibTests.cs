using System.Buffers.Binary;
using Cetus.Kubelet.Streaming.Spdy;
using Xunit;

namespace Cetus.Kubelet.Tests.Streaming;

/// <summary>SPDY/3 header compression: the preset dictionary, one zlib context per direction, sync flushes.</summary>
public sealed class ZlibTests
{
    [Fact]
    public void Dictionary_IsTheSpdy3One()
    {
        var dictionary = SpdyDictionary.Bytes.Span;
        Assert.Equal(1423, dictionary.Length);
        Assert.Equal([0, 0, 0, 7, (byte)'o', (byte)'p'], dictionary[..6].ToArray());
        Assert.True(dictionary.EndsWith("enq=0."u8));
        // The id a zlib header names for this dictionary; Go's zlib reader (kubectl) refuses a stream naming another.
        Assert.Equal(0xe3c6a7c2u, ZlibContext.Adler32(dictionary));
    }

    [Fact]
    public void FirstBlock_NamesTheDictionaryInItsZlibHeader()
    {
        using var compressor = new ZlibCompressor();
        var compressed = compressor.Compress(SpdyWire.EncodeHeaderBlock(SpdyTestKit.Headers(("port", "80"))));
        Assert.Equal(0x78, compressed[0]);
        Assert.NotEqual(0, compressed[1] & 0x20); // FDICT
        Assert.Equal(0, ((compressed[0] << 8) | compressed[1]) % 31);
        Assert.Equal(0xe3c6a7c2u, BinaryPrimitives.ReadUInt32BigEndian(compressed.AsSpan(2)));
        // A sync flush ends every block on a byte boundary with an empty stored block.
        Assert.Equal(new byte[] { 0, 0, 0xff, 0xff }, compressed[^4..]);
    }

    [Fact]
    public void SeveralBlocks_RoundTripThroughOneContextPerDirection()
    {
        using var compressor = new ZlibCompressor();
        using var decompressor = new ZlibDecompressor();
        var blocks = new[]
        {
            SpdyTestKit.Headers(("streamtype", "error"), ("port", "8080"), ("requestid", "0")),
            SpdyTestKit.Headers(("streamtype", "data"), ("port", "8080"), ("requestid", "0")),
            SpdyTestKit.Headers(("streamtype", "data"), ("port", "8080"), ("requestid", "0")),
            SpdyHeaders.Empty,
            SpdyTestKit.Headers(("x-long", new string('a', 100_000))),
        };
        var sizes = new List<int>();
        foreach (var block in blocks)
        {
            var compressed = compressor.Compress(SpdyWire.EncodeHeaderBlock(block));
            sizes.Add(compressed.Length);
            var decoded = SpdyWire.DecodeHeaderBlock(decompressor.Decompress(compressed, SpdyWire.MaxHeaderBlock));
            Assert.Equal(block.OrderBy(p => p.Key), decoded.OrderBy(p => p.Key));
        }
        // The context carries over: the repeated block costs a few bytes, far less than in a fresh context.
        using var fresh = new ZlibCompressor();
        var alone = fresh.Compress(SpdyWire.EncodeHeaderBlock(blocks[2])).Length;
        Assert.True(sizes[2] < alone / 2, $"sizes {string.Join(",", sizes)}, alone {alone}");
    }

    [Fact]
    public void BlockFromAFreshContext_IsRejectedMidSession()
    {
        using var first = new ZlibCompressor();
        using var decompressor = new ZlibDecompressor();
        var block = SpdyWire.EncodeHeaderBlock(SpdyTestKit.Headers(("port", "80")));
        decompressor.Decompress(first.Compress(block), SpdyWire.MaxHeaderBlock);
        // A second zlib header in the middle of the stream is not deflate data: the session must fail, not guess.
        using var second = new ZlibCompressor();
        Assert.Throws<SpdyProtocolException>(() => decompressor.Decompress(second.Compress(block), SpdyWire.MaxHeaderBlock));
    }

    [Fact]
    public void Garbage_AndOversizedBlocks_AreProtocolErrors()
    {
        using (var decompressor = new ZlibDecompressor())
        {
            Assert.Throws<SpdyProtocolException>(() => decompressor.Decompress("not zlib at all"u8, SpdyWire.MaxHeaderBlock));
        }
        using var compressor = new ZlibCompressor();
        using var bounded = new ZlibDecompressor();
        var big = compressor.Compress(SpdyWire.EncodeHeaderBlock(SpdyTestKit.Headers(("x", new string('z', 10_000)))));
        Assert.Throws<SpdyProtocolException>(() => bounded.Decompress(big, 1000));
    }
}
