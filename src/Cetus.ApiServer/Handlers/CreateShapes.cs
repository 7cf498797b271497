using System.Text;
using System.Text.Json;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// The managedFields of recent creates, by the shape of what was created. A create's entry (its manager owns every
/// field it set) follows from the object's serialized form without the fields no manager owns (name, namespace, uid,
/// creationTimestamp, …) and from the manager, subresource and type; only its time differs. A ReplicaSet's pods,
/// or a client's run of similar objects, have one shape: the ownership is computed for the first and copied for the
/// rest. The key is that serialized form itself (values included: shapes that differ only in a label's value are
/// told apart, at the price of a miss), so a hit is exactly what the computation would give. At most
/// <see cref="Capacity"/> shapes of objects up to <see cref="MaxObjectBytes"/> are kept; when full, the cache starts
/// over.
/// </summary>
internal static class CreateShapes
{
    /// <summary>The most shapes kept.</summary>
    public const int Capacity = 256;

    /// <summary>Objects serialized larger than this are not cached (at most Capacity × this many bytes of keys).</summary>
    public const int MaxObjectBytes = 16 * 1024;

    // metadata's fields that no manager owns (upstream stripMetaManager; Cetus.Api.Apply.StripMeta), left out of the key.
    private static readonly byte[][] Unowned =
        [.. new[] { "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion" }.Select(Encoding.UTF8.GetBytes)];

    private static readonly Dictionary<byte[], List<V1ManagedFieldsEntry>> Entries = new(new KeyComparer());

    /// <summary>
    /// The key of a create by <paramref name="manager"/> through <paramref name="subresource"/> of an object of
    /// <paramref name="type"/> serialized as <paramref name="serialized"/>; null when the object is not a JSON object
    /// with a metadata object, or larger than <see cref="MaxObjectBytes"/> (the computation decides then).
    /// </summary>
    public static byte[]? Key(byte[] serialized, string manager, string subresource, Type type)
    {
        if (serialized.Length > MaxObjectBytes)
        {
            return null;
        }

        using var key = new MemoryStream(serialized.Length + 128);
        Append(key, manager);
        Append(key, subresource);
        Append(key, type.FullName ?? type.Name);
        var reader = new Utf8JsonReader(serialized);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var sawMetadata = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            var nameStart = (int)reader.TokenStartIndex;
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            if (!isMetadata)
            {
                reader.Skip();
                key.Write(serialized, nameStart, (int)reader.BytesConsumed - nameStart);
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            sawMetadata = true;
            key.Write(serialized, nameStart, valueStart - nameStart);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var fieldStart = (int)reader.TokenStartIndex;
                var owned = !IsUnowned(ref reader);
                reader.Read();
                reader.Skip();
                if (owned)
                {
                    key.Write(serialized, fieldStart, (int)reader.BytesConsumed - fieldStart);
                }
            }
        }

        return sawMetadata ? key.ToArray() : null;
    }

    /// <summary>The entries recorded for <paramref name="key"/>, given the time <paramref name="time"/>; false when not known.</summary>
    public static bool TryGet(byte[] key, DateTime? time, out List<V1ManagedFieldsEntry>? entries)
    {
        lock (Entries)
        {
            if (!Entries.TryGetValue(key, out var known))
            {
                entries = null;
                return false;
            }

            entries = Copy(known, time);
            return true;
        }
    }

    /// <summary>Remembers the entries computed for <paramref name="key"/> (a copy of them).</summary>
    public static void Add(byte[] key, IEnumerable<V1ManagedFieldsEntry> entries)
    {
        var copy = Copy(entries, time: null);
        lock (Entries)
        {
            if (Entries.Count >= Capacity)
            {
                Entries.Clear();
            }

            Entries[key] = copy;
        }
    }

    /// <summary>Forgets every shape (tests).</summary>
    internal static void Clear()
    {
        lock (Entries)
        {
            Entries.Clear();
        }
    }

    private static List<V1ManagedFieldsEntry> Copy(IEnumerable<V1ManagedFieldsEntry> entries, DateTime? time) =>
        [.. entries.Select(e => FieldManagement.CopyEntry(e, time))];

    private static bool IsUnowned(ref Utf8JsonReader reader)
    {
        foreach (var name in Unowned)
        {
            if (reader.ValueTextEquals(name))
            {
                return true;
            }
        }

        return false;
    }

    private static void Append(MemoryStream key, string text)
    {
        key.Write(Encoding.UTF8.GetBytes(text));
        key.WriteByte(0);
    }

    private sealed class KeyComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
