using System.Text.Json;
using Cetus.Api.Json;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using k8s.Models;

namespace Cetus.ApiServer.Tables;

/// <summary>Writes meta.k8s.io/v1 Tables: what kubectl get asks for, rows carrying the object's metadata.</summary>
internal static class TableWriter
{
    /// <summary>A Table of <paramref name="items"/>; headers are left out on watch events after the first.</summary>
    public static byte[] Write(ResourceDefinition definition, IEnumerable<StoredObject> items, string? resourceVersion, string? continueToken, DateTimeOffset now, bool headers = true, string includeObject = "Metadata")
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", "Table");
            json.WriteString("apiVersion", "meta.k8s.io/v1");
            json.WriteStartObject("metadata");
            if (resourceVersion is not null)
            {
                json.WriteString("resourceVersion", resourceVersion);
            }

            if (!string.IsNullOrEmpty(continueToken))
            {
                json.WriteString("continue", continueToken);
            }

            json.WriteEndObject();
            json.WriteStartArray("columnDefinitions");
            if (headers)
            {
                foreach (var column in definition.Table.Columns)
                {
                    json.WriteStartObject();
                    json.WriteString("name", column.Name);
                    json.WriteString("type", column.Type);
                    json.WriteString("format", column.Format);
                    json.WriteString("description", column.Description);
                    json.WriteNumber("priority", column.Priority);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteStartArray("rows");
            foreach (var item in items)
            {
                json.WriteStartObject();
                json.WritePropertyName("cells");
                JsonSerializer.Serialize(json, definition.Table.Cells(item.Item, now), KubeJson.Options);
                switch (includeObject)
                {
                    case "None":
                        break;
                    case "Object":
                        json.WritePropertyName("object");
                        json.WriteRawValue(item.Json, skipInputValidation: true);
                        break;
                    default:
                        json.WritePropertyName("object");
                        WritePartialMetadata(json, item.Item.Metadata);
                        break;
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WritePartialMetadata(Utf8JsonWriter json, V1ObjectMeta metadata)
    {
        json.WriteStartObject();
        json.WriteString("kind", "PartialObjectMetadata");
        json.WriteString("apiVersion", "meta.k8s.io/v1");
        json.WritePropertyName("metadata");
        JsonSerializer.Serialize(json, metadata, KubeJson.Options);
        json.WriteEndObject();
    }
}
