using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>
/// Field sets read from FieldsV1 JSON, by that JSON's bytes. Objects of one shape written by one manager own the same
/// fields (every node's Lease, a ReplicaSet's pods), so an update of one reads its managedFields' sets from here
/// instead of parsing them. The sets are frozen (shared between requests: <see cref="FieldSet.Freeze"/>); at most
/// <see cref="Capacity"/> of them, each read from at most <see cref="MaxBytes"/>; when full, the cache starts over.
/// </summary>
internal static class FieldsV1Cache
{
    /// <summary>The most sets kept.</summary>
    public const int Capacity = 1024;

    /// <summary>FieldsV1 JSON longer than this is parsed every time (at most Capacity × this many bytes of keys).</summary>
    public const int MaxBytes = 16 * 1024;

    private static readonly ConcurrentDictionary<byte[], FieldSet> Sets = new(new BytesComparer());

    private static readonly ConcurrentDictionary<byte[], FieldSet>.AlternateLookup<ReadOnlySpan<byte>> BySpan =
        Sets.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>The frozen set that the FieldsV1 object <paramref name="json"/> holds.</summary>
    public static FieldSet Get(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            return Parse(json).Freeze();
        }

        if (BySpan.TryGetValue(json, out var known))
        {
            return known;
        }

        var set = Parse(json).Freeze();
        if (Sets.Count >= Capacity)
        {
            Sets.Clear();
        }

        Sets.TryAdd(json.ToArray(), set);
        return set;
    }

    /// <summary>Forgets every set (tests).</summary>
    internal static void Clear() => Sets.Clear();

    private static FieldSet Parse(ReadOnlySpan<byte> json) =>
        JsonNode.Parse(json) is JsonObject fields ? FieldSet.FromFieldsV1(fields) : new FieldSet();

    private sealed class BytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = default(HashCode);
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
