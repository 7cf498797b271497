using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>
/// Path elements in their FieldsV1 spelling, and the way upstream prints a path in a conflict
/// (<c>.spec.template.spec.containers[name="app"].image</c>).
/// </summary>
internal static class PathElements
{
    private const string FieldPrefix = "f:";
    private const string KeyPrefix = "k:";
    private const string ValuePrefix = "v:";

    // Go's encoding/json leaves non-ASCII as is; only the relaxed encoder does the same here.
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The element of an object field: <c>f:name</c>.</summary>
    public static string Field(string name) => FieldPrefix + name;

    /// <summary>The element of a set item: <c>v:</c> and the item's JSON.</summary>
    public static string Value(JsonNode? item) => ValuePrefix + Json(item);

    /// <summary>
    /// The element of an associative list item, <c>k:{"name":"app"}</c>; null when the item is not an object or
    /// lacks the key. Only the patch merge key is used (upstream's listMapKeys may add fields, e.g. protocol
    /// for container ports), since <see cref="Patching.PatchMeta"/> carries one key per list.
    /// </summary>
    public static string? ItemKey(JsonNode? item, string mergeKey) =>
        item is JsonObject fields && fields.TryGetPropertyValue(mergeKey, out var key) && key is JsonValue
            ? string.Concat(KeyPrefix, "{", JsonSerializer.Serialize(mergeKey, Compact), ":", Json(key), "}")
            : null;

    /// <summary>The field name of an <c>f:</c> element; null for list item elements.</summary>
    public static string? FieldName(string element) =>
        element.StartsWith(FieldPrefix, StringComparison.Ordinal) ? element[FieldPrefix.Length..] : null;

    /// <summary>A path as upstream's <c>fieldpath.Path.String()</c> prints it.</summary>
    public static string Describe(IReadOnlyList<string> path)
    {
        var text = new StringBuilder();
        foreach (var element in path)
        {
            if (FieldName(element) is { } name)
            {
                text.Append('.').Append(name);
            }
            else if (element.StartsWith(KeyPrefix, StringComparison.Ordinal)
                && JsonNode.Parse(element[KeyPrefix.Length..]) is JsonObject key)
            {
                var fields = key.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}={Json(f.Value)}"));
                text.Append('[').AppendJoin(',', fields).Append(']');
            }
            else if (element.StartsWith(ValuePrefix, StringComparison.Ordinal))
            {
                text.Append("[=").Append(element[ValuePrefix.Length..]).Append(']');
            }
            else
            {
                text.Append('[').Append(element).Append(']');
            }
        }

        return text.ToString();
    }

    private static string Json(JsonNode? node) => node?.ToJsonString(Compact) ?? "null";
}
