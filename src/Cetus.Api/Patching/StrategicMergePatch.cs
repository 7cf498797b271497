using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>
/// Strategic merge patch (<c>application/strategic-merge-patch+json</c>), the server half of
/// k8s.io/apimachinery/pkg/util/strategicpatch: a JSON merge patch whose lists merge by key where the
/// model type's patch tags say so, plus the directives kubectl sends: <c>$patch</c> (replace, delete,
/// merge), <c>$retainKeys</c>, <c>$setElementOrder/field</c> and <c>$deleteFromPrimitiveList/field</c>.
/// </summary>
public static partial class StrategicMergePatch
{
    private const string DirectiveMarker = "$patch";
    private const string DeleteDirective = "delete";
    private const string ReplaceDirective = "replace";
    private const string MergeDirective = "merge";
    private const string RetainKeysDirective = "$retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
    private const string SetElementOrderPrefix = "$setElementOrder";

    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="original"/>; neither input changes.</summary>
    /// <param name="original">The stored object, a JSON object.</param>
    /// <param name="patch">The patch body; JSON null is an empty patch, as kube-apiserver decodes it.</param>
    /// <param name="modelType">The object's model type, e.g. <c>typeof(V1Deployment)</c>, which supplies the merge keys.</param>
    /// <returns>The patched object.</returns>
    /// <exception cref="PatchException">The patch is malformed or cannot be applied.</exception>
    public static JsonNode Apply(JsonNode original, JsonNode? patch, Type modelType) =>
        Apply(original, patch, PatchMeta.For(modelType));

    /// <summary>Applies <paramref name="patch"/> with explicit metadata, e.g. <see cref="PatchMeta.Unknown"/>.</summary>
    /// <param name="original">The stored object, a JSON object.</param>
    /// <param name="patch">The patch body; JSON null is an empty patch.</param>
    /// <param name="meta">Where the merge strategies and keys come from.</param>
    /// <returns>The patched object.</returns>
    /// <exception cref="PatchException">The patch is malformed or cannot be applied.</exception>
    public static JsonNode Apply(JsonNode original, JsonNode? patch, PatchMeta meta)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(meta);
        if (original is not JsonObject originalMap)
        {
            throw MergePatchErrors.BadJsonDocument();
        }

        if (patch is null)
        {
            return originalMap.DeepClone();
        }

        if (patch is not JsonObject patchMap)
        {
            throw new PatchException(
                PatchErrorKind.BadRequest,
                $"json: cannot unmarshal {JsonNodes.UnmarshalKindName(patch)} into Go value of type {GoFormat.MapType}");
        }

        // Both are copied once up front, so the merge below may take nodes from either tree.
        return MergeMap((JsonObject)originalMap.DeepClone(), (JsonObject)patchMap.DeepClone(), meta);
    }

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, PatchMeta meta)
    {
        if (patch.TryGetPropertyValue(DirectiveMarker, out var directive))
        {
            return ApplyMapDirective(directive, patch);
        }

        ApplyRetainKeys(original, patch);
        MergeOrderedLists(original, patch, meta);

        // The patch keeps its entries: when this map is a list item, the list merge still needs its merge key.
        foreach (var (name, value) in patch.ToList())
        {
            var isDeleteList = name.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);
            var key = isDeleteList
                ? DirectiveTarget(name, DeleteFromPrimitiveListPrefix, MergePatchErrors.BadPrimitiveListFormat)
                : name;

            // Upstream applies server-side patches with IgnoreUnmatchedNulls: a null deletes, and is never kept.
            if (value is null)
            {
                original.Remove(key);
                continue;
            }

            if (!original.TryGetPropertyValue(key, out var current) || JsonNodes.KindOf(current) != JsonNodes.KindOf(value))
            {
                if (!isDeleteList)
                {
                    SetFromPatch(original, key, value);
                }

                continue;
            }

            switch (current)
            {
                case JsonObject currentMap:
                    var mapField = FieldOf(meta, key);
                    original[key] = JsonNodes.Free(mapField.Tag.Strategy == PatchStrategy.Replace
                        ? value
                        : MergeMap(currentMap, (JsonObject)value, mapField.Value));
                    break;
                case JsonArray currentList:
                    var listField = FieldOf(meta, key);
                    var merged = MergeListField(
                        JsonNodes.TakeItems(currentList),
                        JsonNodes.TakeItems((JsonArray)value),
                        listField,
                        isDeleteList);
                    original[key] = new JsonArray([.. merged]);
                    break;
                default:
                    SetFromPatch(original, key, value);
                    break;
            }
        }

        return original;
    }

    private static JsonObject ApplyMapDirective(JsonNode? directive, JsonObject patch)
    {
        if (IsString(directive, ReplaceDirective))
        {
            patch.Remove(DirectiveMarker);
            return patch;
        }

        if (IsString(directive, DeleteDirective))
        {
            return [];
        }

        // Upstream has no "$patch: merge" for maps; merging is what a map without a directive does.
        throw MergePatchErrors.BadPatchType(directive, patch);
    }

    // A value the original lacks (or holds with another type) is taken from the patch, minus its nulls
    // and directives: there is nothing for them to act on.
    private static void SetFromPatch(JsonObject original, string key, JsonNode patchValue)
    {
        var value = JsonNodes.Free(patchValue)!;
        DiscardNulls(value);
        if (RemoveDirectives(value))
        {
            original[key] = value;
        }
        else
        {
            original.Remove(key);
        }
    }

    private static PatchField FieldOf(PatchMeta meta, string key) =>
        meta.Lookup(key) ?? throw MergePatchErrors.Internal($"unable to find api field in struct {meta.Name} for the json field \"{key}\"");

    private static bool IsString(JsonNode? node, string value) =>
        JsonNodes.KindOf(node) == JsonKind.String && node!.GetValue<string>() == value;
}
