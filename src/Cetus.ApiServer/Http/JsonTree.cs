using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cetus.ApiServer.Http;

/// <summary>Builds JSON nodes from a parsed document, keeping the last of repeated fields (JsonObject refuses them).</summary>
internal static class JsonTree
{
    /// <summary>
    /// The nodes of <paramref name="element"/>, whose document must outlive them (its values are referenced, not
    /// copied); the paths of repeated fields go to <paramref name="duplicates"/>.
    /// </summary>
    public static JsonNode? From(JsonElement element, List<string>? duplicates) =>
        From(element, duplicates, duplicates is null ? null : []);

    // The path is kept as its names and joined only for a repeated field.
    private static JsonNode? From(JsonElement element, List<string>? duplicates, List<string>? path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    if (obj.ContainsKey(property.Name))
                    {
                        duplicates?.Add(string.Join('.', [.. path!, property.Name]));
                        obj.Remove(property.Name);
                    }

                    path?.Add(property.Name);
                    obj[property.Name] = From(property.Value, duplicates, path);
                    path?.RemoveAt(path.Count - 1);
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(From(item, duplicates, path));
                }

                return array;
            case JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(element);
        }
    }
}
