using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cetus.ApiServer.Http;

/// <summary>Builds JSON nodes from a parsed document, keeping the last of repeated fields (JsonObject refuses them).</summary>
internal static class JsonTree
{
    public static JsonNode? From(JsonElement element, List<string>? duplicates, string path = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    var childPath = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (obj.ContainsKey(property.Name))
                    {
                        duplicates?.Add(childPath);
                        obj.Remove(property.Name);
                    }

                    obj[property.Name] = From(property.Value, duplicates, childPath);
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
                return JsonValue.Create(element.Clone());
        }
    }
}
