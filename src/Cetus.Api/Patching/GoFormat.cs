using System.Text;
using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>
/// Prints decoded JSON the way Go's <c>fmt</c> prints <c>%v</c>, because upstream's patch errors embed
/// values (<c>map: map[image:nginx] does not contain declared merge key: name</c>) and clients show them.
/// </summary>
internal static class GoFormat
{
    /// <summary>How Go prints the type of a decoded JSON object.</summary>
    public const string MapType = "map[string]interface {}";

    /// <summary>How Go prints the type of a decoded JSON array.</summary>
    public const string SliceType = "[]interface {}";

    /// <summary>The value as <c>%v</c>: maps with sorted keys, slices space-separated, nil as &lt;nil&gt;.</summary>
    public static string Value(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    /// <summary>A list printed as a Go slice.</summary>
    public static string List(IEnumerable<JsonNode?> items)
    {
        var text = new StringBuilder();
        WriteItems(text, items);
        return text.ToString();
    }

    /// <summary>Several lists printed together, as <c>fmt.Sprint</c> prints a slice of slices.</summary>
    public static string Lists(IEnumerable<IEnumerable<JsonNode?>> lists) => "[" + string.Join(' ', lists.Select(List)) + "]";

    /// <summary>The Go type the value decodes to, as <c>reflect.Type</c> prints it.</summary>
    public static string TypeName(JsonNode? node) => JsonNodes.KindOf(node) switch
    {
        JsonKind.Object => MapType,
        JsonKind.Array => SliceType,
        JsonKind.String => "string",
        JsonKind.Number => IsInteger(node!) ? "int64" : "float64",
        JsonKind.Boolean => "bool",
        _ => "<nil>",
    };

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("<nil>");
                break;
            case JsonObject map:
                text.Append("map[");
                var first = true;
                foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(' ');
                    }

                    first = false;
                    text.Append(key).Append(':');
                    Write(text, value);
                }

                text.Append(']');
                break;
            case JsonArray slice:
                WriteItems(text, slice);
                break;
            default:
                WriteScalar(text, node);
                break;
        }
    }

    private static void WriteItems(StringBuilder text, IEnumerable<JsonNode?> items)
    {
        text.Append('[');
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                text.Append(' ');
            }

            first = false;
            Write(text, item);
        }

        text.Append(']');
    }

    private static void WriteScalar(StringBuilder text, JsonNode node)
    {
        switch (JsonNodes.KindOf(node))
        {
            case JsonKind.String:
                text.Append(node.GetValue<string>());
                break;
            case JsonKind.Boolean:
                text.Append(node.GetValueKind() == System.Text.Json.JsonValueKind.True ? "true" : "false");
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }

    private static bool IsInteger(JsonNode number) => number.ToJsonString().AsSpan().IndexOfAny(".eE") < 0;
}
