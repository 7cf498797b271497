using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>
/// JSON Merge Patch (RFC 7386, <c>application/merge-patch+json</c>): null deletes a member, objects merge
/// recursively, anything else replaces. kube-apiserver uses it for <c>kubectl label</c>, <c>annotate</c>,
/// <c>scale</c> and <c>patch --type merge</c>, and for custom resources.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="original"/>; neither input changes.</summary>
    /// <param name="original">The stored object.</param>
    /// <param name="patch">The patch: an object merges; an array replaces the whole document, as the RFC says.</param>
    /// <returns>The patched document.</returns>
    /// <exception cref="PatchException">400 "Invalid JSON Patch" when the patch is null or a scalar, as evanphx/json-patch answers.</exception>
    public static JsonNode Apply(JsonNode original, JsonNode? patch)
    {
        ArgumentNullException.ThrowIfNull(original);
        return patch switch
        {
            JsonObject members => Merge(original.DeepClone(), members),
            JsonArray whole => whole.DeepClone(),
            _ => throw new PatchException(PatchErrorKind.BadRequest, "Invalid JSON Patch"),
        };
    }

    // target is owned by the result; patch members are copied into it.
    private static JsonObject Merge(JsonNode? target, JsonObject patch)
    {
        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else if (value is JsonObject members)
            {
                result.TryGetPropertyValue(name, out var current);
                var merged = Merge(current, members);
                if (!ReferenceEquals(merged, current))
                {
                    result[name] = merged;
                }
            }
            else
            {
                result[name] = value.DeepClone();
            }
        }

        return result;
    }
}
