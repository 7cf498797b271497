using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>Node helpers shared by the three patchers.</summary>
internal static class JsonNodes
{
    /// <summary>The category of a node; a C# null is JSON null.</summary>
    public static JsonKind KindOf(JsonNode? node) => node switch
    {
        null => JsonKind.Null,
        JsonObject => JsonKind.Object,
        JsonArray => JsonKind.Array,
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => JsonKind.String,
            JsonValueKind.Number => JsonKind.Number,
            JsonValueKind.True or JsonValueKind.False => JsonKind.Boolean,
            _ => JsonKind.Null,
        },
    };

    /// <summary>
    /// Equality as upstream compares decoded values: same kind, numbers by value, objects regardless of key order.
    /// </summary>
    public static bool SameValue(JsonNode? left, JsonNode? right) => JsonNode.DeepEquals(left, right);

    /// <summary>The items of an array, detached from it so they can be placed in a new array.</summary>
    public static List<JsonNode?> TakeItems(JsonArray array)
    {
        var items = array.ToList();
        array.Clear();
        return items;
    }

    /// <summary>A node that may be inserted into another tree: the node itself when free, else a copy.</summary>
    public static JsonNode? Free(JsonNode? node) => node?.Parent is null ? node : node.DeepClone();

    /// <summary>The name Go's encoding/json gives the kind in "cannot unmarshal X into Go value" errors.</summary>
    public static string UnmarshalKindName(JsonNode? node) => KindOf(node) switch
    {
        JsonKind.Object => "object",
        JsonKind.Array => "array",
        JsonKind.String => "string",
        JsonKind.Number => "number",
        JsonKind.Boolean => "bool",
        _ => "null",
    };
}
