using System.Text.Json;
using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Registry;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// Objects as meta.k8s.io <c>PartialObjectMetadata</c> — apiVersion, kind and metadata only — when the client asks
/// with <c>Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1</c> (a get or a watch) or
/// <c>as=PartialObjectMetadataList</c> (a list), as client-go's metadata client does: garbage collectors and quota
/// controllers want every object's metadata, not its spec. The metadata is the stored object's own bytes.
/// </summary>
internal static class PartialMetadata
{
    public const string ObjectKind = "PartialObjectMetadata";
    public const string ListKind = "PartialObjectMetadataList";
    private const string Group = "meta.k8s.io";

    private static readonly byte[] PrefixV1 = System.Text.Encoding.UTF8.GetBytes(Prefix("v1"));

    /// <summary>
    /// The first media type of the Accept header that asks for metadata only: its "as" (<see cref="ObjectKind"/> or
    /// <see cref="ListKind"/>) and version (v1 or v1beta1); null when none does.
    /// </summary>
    public static (string As, string Version)? Requested(HttpRequest request)
    {
        foreach (var header in request.Headers.Accept)
        {
            if (header is null || !header.Contains("as=PartialObjectMetadata", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var mediaType in header.Split(','))
            {
                string? kind = null, group = null, version = null;
                foreach (var parameter in mediaType.Split(';').Skip(1))
                {
                    var pair = parameter.Split('=', 2, StringSplitOptions.TrimEntries);
                    switch (pair)
                    {
                        case ["as", var value]:
                            kind = value;
                            break;
                        case ["g", var value]:
                            group = value;
                            break;
                        case ["v", var value]:
                            version = value;
                            break;
                    }
                }

                if (kind is ObjectKind or ListKind && group == Group && version is "v1" or "v1beta1")
                {
                    return (kind, version);
                }
            }
        }

        return null;
    }

    /// <summary>The response's Content-Type, naming the representation as kube-apiserver's does.</summary>
    public static string ContentType((string As, string Version) requested) =>
        $"application/json;as={requested.As};g={Group};v={requested.Version}";

    /// <summary>406 when a single object was asked for as a list, or a list as a single object (kube-apiserver's words).</summary>
    public static void RequireKind(ResourceRequest request, (string As, string Version) requested, bool list)
    {
        var definition = request.Definition;
        if (list && requested.As != ListKind)
        {
            throw Problems.NotAcceptableAs($"you requested {ObjectKind}, but the requested object is a list (*{definition.Version}.{definition.ListKind})");
        }

        if (!list && requested.As != ObjectKind)
        {
            throw Problems.NotAcceptableAs($"you requested {ListKind}, but the requested object is not a list (*{definition.Version}.{definition.Kind})");
        }
    }

    /// <summary>One object as PartialObjectMetadata.</summary>
    public static byte[] Write(StoredObject item, string version)
    {
        // The usual case, once per watch event and watcher: the stored metadata's bytes between a prefix and a brace,
        // in one array of the right size (what the writer below produces for it).
        var metadata = MetadataOf(item.Json);
        if (!metadata.IsEmpty)
        {
            var prefix = version == "v1" ? PrefixV1 : System.Text.Encoding.UTF8.GetBytes(Prefix(version));
            var wire = new byte[prefix.Length + metadata.Length + 1];
            prefix.CopyTo(wire, 0);
            metadata.CopyTo(wire.AsSpan(prefix.Length));
            wire[^1] = (byte)'}';
            return wire;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteObject(json, item, version);
        }

        return buffer.ToArray();
    }

    /// <summary>A list as PartialObjectMetadataList.</summary>
    public static byte[] WriteList(IEnumerable<StoredObject> items, string version, string resourceVersion, string? continueToken) =>
        ListHandler.WriteList(ListKind, $"{Group}/{version}", items, resourceVersion, continueToken, (json, item) => WriteObject(json, item, version));

    /// <summary>A watch bookmark as PartialObjectMetadata.</summary>
    public static byte[] Bookmark(string version, long revision) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            kind = ObjectKind,
            apiVersion = $"{Group}/{version}",
            metadata = new { resourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        });

    // What comes before an object's metadata: {"kind":…,"apiVersion":…,"metadata":
    private static string Prefix(string version) => $"{{\"kind\":\"{ObjectKind}\",\"apiVersion\":\"{Group}/{version}\",\"metadata\":";

    private static void WriteObject(Utf8JsonWriter json, StoredObject item, string version)
    {
        json.WriteStartObject();
        json.WriteString("kind", ObjectKind);
        json.WriteString("apiVersion", $"{Group}/{version}");
        json.WritePropertyName("metadata");
        var metadata = MetadataOf(item.Json);
        if (metadata.IsEmpty)
        {
            JsonSerializer.Serialize(json, item.Item.Metadata, KubeJson.Options);
        }
        else
        {
            json.WriteRawValue(metadata, skipInputValidation: true);
        }

        json.WriteEndObject();
    }

    // The bytes of the top-level "metadata" value of an object's wire JSON; empty when it has none.
    private static ReadOnlySpan<byte> MetadataOf(byte[] wire)
    {
        var reader = new Utf8JsonReader(wire);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (isMetadata)
            {
                return reader.TokenType == JsonTokenType.EndObject ? wire.AsSpan(start, (int)reader.BytesConsumed - start) : default;
            }
        }

        return default;
    }
}
