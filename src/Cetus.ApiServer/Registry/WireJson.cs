using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cetus.ApiServer.Registry;

/// <summary>
/// Turns stored bytes into the bytes clients receive without a decode and re-encode: the only difference is
/// <c>metadata.resourceVersion</c>, which the datastore's revision supplies. A splice into the serialized object
/// costs a scan of its top level, where a re-serialization costs a walk of the whole typed object.
/// </summary>
internal static class WireJson
{
    private static ReadOnlySpan<byte> MetadataName => "metadata"u8;

    private static ReadOnlySpan<byte> ResourceVersionName => "resourceVersion"u8;

    /// <summary>
    /// <paramref name="json"/> with its top-level <c>apiVersion</c> and <c>kind</c> checked and
    /// <c>metadata.resourceVersion</c> set to <paramref name="revision"/> (replaced, or inserted where the model would write it).
    /// Null when the bytes do not have the expected shape (no metadata object, another apiVersion or kind): the caller
    /// serializes the typed object instead.
    /// </summary>
    public static byte[]? WithResourceVersion(byte[] json, long revision, string apiVersion, string kind)
    {
        try
        {
            return Splice(json, revision, apiVersion, kind);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? Splice(byte[] json, long revision, string apiVersion, string kind)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        bool sawApiVersion = false, sawKind = false, sawMetadata = false;
        var value = Encoding.UTF8.GetBytes("\"" + revision.ToString(CultureInfo.InvariantCulture) + "\"");
        byte[]? result = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("apiVersion"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals(apiVersion))
                {
                    return null;
                }

                sawApiVersion = true;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals(kind))
                {
                    return null;
                }

                sawKind = true;
            }
            else if (reader.ValueTextEquals(MetadataName))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject || sawMetadata)
                {
                    return null;
                }

                sawMetadata = true;
                result = SpliceMetadata(ref reader, json, value);
                if (result is null)
                {
                    return null;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return sawApiVersion && sawKind ? result : null;
    }

    // The reader is on metadata's '{'. The model writes metadata's fields in name order, so resourceVersion goes
    // before the first field whose name sorts after it: the result is byte for byte what a serialization gives.
    private static byte[]? SpliceMetadata(ref Utf8JsonReader reader, byte[] json, byte[] value)
    {
        var fields = 0;
        var insertAt = -1;
        int replaceFrom = -1, replaceTo = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            if (reader.ValueTextEquals(ResourceVersionName))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }

                replaceFrom = (int)reader.TokenStartIndex;
                replaceTo = (int)reader.BytesConsumed;
                continue;
            }

            if (insertAt < 0 && !reader.ValueIsEscaped && reader.ValueSpan.SequenceCompareTo(ResourceVersionName) > 0)
            {
                insertAt = nameStart;
            }

            fields++;
            reader.Read();
            reader.Skip();
        }

        if (replaceFrom >= 0)
        {
            return Concat(json.AsSpan(0, replaceFrom), value, json.AsSpan(replaceTo));
        }

        if (insertAt >= 0)
        {
            return Concat(json.AsSpan(0, insertAt), [.. "\"resourceVersion\":"u8, .. value, (byte)','], json.AsSpan(insertAt));
        }

        // After every field: just before metadata's closing brace.
        var end = (int)reader.TokenStartIndex;
        byte[] inserted = fields == 0 ? [.. "\"resourceVersion\":"u8, .. value] : [(byte)',', .. "\"resourceVersion\":"u8, .. value];
        return Concat(json.AsSpan(0, end), inserted, json.AsSpan(end));
    }

    private static byte[] Concat(ReadOnlySpan<byte> head, ReadOnlySpan<byte> middle, ReadOnlySpan<byte> tail)
    {
        var result = new byte[head.Length + middle.Length + tail.Length];
        head.CopyTo(result);
        middle.CopyTo(result.AsSpan(head.Length));
        tail.CopyTo(result.AsSpan(head.Length + middle.Length));
        return result;
    }
}
