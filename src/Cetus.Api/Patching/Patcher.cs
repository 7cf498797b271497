using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>One entry point for the API server: parse a PATCH body and apply it by its patch type.</summary>
public static class Patcher
{
    /// <summary>Applies a parsed patch of <paramref name="type"/> to a copy of <paramref name="original"/>.</summary>
    /// <param name="type">The patch format.</param>
    /// <param name="original">The stored object.</param>
    /// <param name="patch">The parsed patch body.</param>
    /// <param name="modelType">The object's model type; strategic merge patch takes its merge keys from it.</param>
    /// <returns>The patched object, to be deserialized into <paramref name="modelType"/>.</returns>
    /// <exception cref="PatchException">The patch is malformed or does not apply.</exception>
    public static JsonNode Apply(PatchType type, JsonNode original, JsonNode? patch, Type modelType) => type switch
    {
        PatchType.Json => JsonPatch.Apply(original, patch),
        PatchType.Merge => JsonMergePatch.Apply(original, patch),
        PatchType.StrategicMerge => StrategicMergePatch.Apply(original, patch, modelType),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown patch type"),
    };

    /// <summary>Parses and applies a PATCH body.</summary>
    /// <param name="type">The patch format.</param>
    /// <param name="original">The stored object.</param>
    /// <param name="body">The request body, UTF-8 JSON.</param>
    /// <param name="modelType">The object's model type.</param>
    /// <returns>The patched object.</returns>
    /// <exception cref="PatchException">400 when the body is not JSON; otherwise as <see cref="Apply(PatchType, JsonNode, JsonNode?, Type)"/>.</exception>
    public static JsonNode Apply(PatchType type, JsonNode original, ReadOnlySpan<byte> body, Type modelType) =>
        Apply(type, original, Parse(type, body), modelType);

    /// <summary>Parses a PATCH body; a body that is not JSON is a 400, worded as kube-apiserver words it for merge patches.</summary>
    /// <param name="type">The patch format, which decides the error text.</param>
    /// <param name="body">The request body.</param>
    /// <returns>The parsed body; null for the JSON literal null.</returns>
    public static JsonNode? Parse(PatchType type, ReadOnlySpan<byte> body)
    {
        try
        {
            var patch = JsonNode.Parse(body);
            Materialize(patch);
            return patch;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new PatchException(PatchErrorKind.BadRequest, type == PatchType.Merge ? "Invalid JSON Patch" : e.Message);
        }
    }

    // Objects are read lazily; walking them now makes a duplicate key fail here (400) rather than mid-patch.
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (_, value) in map)
                {
                    Materialize(value);
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    Materialize(item);
                }

                break;
        }
    }
}
