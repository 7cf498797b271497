using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>One JSON patch operation, read as evanphx/json-patch reads it: leniently, failing only when a field is used.</summary>
/// <param name="fields">The operation object; null for a JSON null in the patch array.</param>
internal readonly struct JsonPatchOperation(JsonObject? fields)
{
    /// <summary>The "op" member, or "unknown" when it is missing or not a string.</summary>
    public string Kind => Text("op") ?? "unknown";

    /// <summary>Whether there is a "value" member (JSON null counts).</summary>
    public bool HasValue => fields?.ContainsKey("value") == true;

    /// <summary>A copy of the "value" member, free to insert into the document; null when missing.</summary>
    public JsonNode? Value => fields is not null && fields.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : null;

    /// <summary>The value for comparison only; not to be inserted anywhere.</summary>
    public JsonNode? PeekValue => fields?["value"];

    /// <summary>The "path" member, or the decoding error.</summary>
    public string? Path(out string? error) => Pointer("path", "operation missing path field: missing value", out error);

    /// <summary>The "from" member, or the decoding error.</summary>
    public string? From(out string? error) => Pointer("from", "operation, missing from field: missing value", out error);

    private string? Text(string name) =>
        fields is not null && fields.TryGetPropertyValue(name, out var value) && JsonNodes.KindOf(value) == JsonKind.String
            ? value!.GetValue<string>()
            : null;

    private string? Pointer(string name, string missing, out string? error)
    {
        error = null;
        if (fields is null || !fields.TryGetPropertyValue(name, out var value) || value is null)
        {
            error = missing;
            return null;
        }

        if (JsonNodes.KindOf(value) != JsonKind.String)
        {
            error = $"json: cannot unmarshal {JsonNodes.UnmarshalKindName(value)} into Go value of type string";
            return null;
        }

        return value.GetValue<string>();
    }
}
