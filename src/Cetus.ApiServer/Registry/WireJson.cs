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
    /// <c>metadata.resourceVersion</c> set to <paramref name="revision"/> (replaced, or inserted first in metadata).
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

        bool sawApiVersion = false, sawKind = false;
        int insertAt = -1, replaceFrom = -1, replaceTo = -1;
        bool metadataEmpty = false;
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
                if (reader.TokenType != JsonTokenType.StartObject || insertAt >= 0)
                {
                    return null;
                }

                insertAt = (int)reader.BytesConsumed;
                metadataEmpty = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    metadataEmpty = false;
                    if (reader.ValueTextEquals(ResourceVersionName))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            return null;
                        }

                        replaceFrom = (int)reader.TokenStartIndex;
                        replaceTo = (int)reader.BytesConsumed;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!sawApiVersion || !sawKind || insertAt < 0)
        {
            return null;
        }

        var value = "\"" + revision.ToString(CultureInfo.InvariantCulture) + "\"";
        if (replaceFrom >= 0)
        {
            return Concat(json.AsSpan(0, replaceFrom), Encoding.UTF8.GetBytes(value), json.AsSpan(replaceTo));
        }

        var inserted = Encoding.UTF8.GetBytes("\"resourceVersion\":" + value + (metadataEmpty ? string.Empty : ","));
        return Concat(json.AsSpan(0, insertAt), inserted, json.AsSpan(insertAt));
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
