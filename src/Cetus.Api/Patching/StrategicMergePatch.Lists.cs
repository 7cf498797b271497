using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>Merging a list: by merge key for lists of maps, as a set for lists of primitives.</summary>
public static partial class StrategicMergePatch
{
    private static List<JsonNode?> MergeListField(List<JsonNode?> original, List<JsonNode?> patch, PatchField field, bool isDeleteList) =>
        field.Tag.Strategy == PatchStrategy.Merge || isDeleteList
            ? MergeList(original, patch, field.Value, field.Tag.MergeKey, isDeleteList)
            : patch;

    private static List<JsonNode?> MergeList(List<JsonNode?> original, List<JsonNode?> patch, PatchMeta itemMeta, string? mergeKey, bool isDeleteList)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return original;
        }

        var kind = ElementKind(original, patch);
        List<JsonNode?> merged;
        if (kind != JsonKind.Object)
        {
            if (isDeleteList)
            {
                return original.Where(item => !patch.Any(deleted => JsonNodes.SameValue(deleted, item))).ToList();
            }

            merged = Distinct(original.Concat(patch));
        }
        else
        {
            if (string.IsNullOrEmpty(mergeKey))
            {
                throw MergePatchErrors.Internal($"cannot merge lists without merge key for {itemMeta.GoKind}");
            }

            (original, patch) = ApplyListDirectives(original, patch, mergeKey);
            merged = MergeItems([.. original], patch, mergeKey, itemMeta);
        }

        var (inPatch, serverOnly) = string.IsNullOrEmpty(mergeKey)
            ? PartitionPrimitives(merged, patch)
            : PartitionMaps(merged, patch, mergeKey);
        return NormalizeOrder(inPatch, serverOnly, patch, original, mergeKey, kind);
    }

    // Items carrying "$patch": delete drops the original items with its key; replace makes the rest of
    // the patch list the whole list.
    private static (List<JsonNode?> Original, List<JsonNode?> Patch) ApplyListDirectives(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var plain = new List<JsonNode?>();
        var replace = false;
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(DirectiveMarker, out var directive))
            {
                plain.Add(map);
            }
            else if (IsString(directive, DeleteDirective))
            {
                if (!map.TryGetPropertyValue(mergeKey, out var keyValue))
                {
                    throw MergePatchErrors.NoMergeKey(map, mergeKey);
                }

                original = original.Where(o => !HasKeyValue((JsonObject)o!, mergeKey, keyValue)).ToList();
            }
            else if (IsString(directive, ReplaceDirective))
            {
                replace = true;
            }
            else if (IsString(directive, MergeDirective))
            {
                throw MergePatchErrors.Internal("merging lists cannot yet be specified in the patch");
            }
            else
            {
                throw MergePatchErrors.BadPatchType(directive, map);
            }
        }

        return replace ? (plain, []) : (original, plain);
    }

    // Patch items merge into the original item with the same key; items without a match are appended.
    private static List<JsonNode?> MergeItems(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey, PatchMeta itemMeta)
    {
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(mergeKey, out var keyValue))
            {
                throw MergePatchErrors.NoMergeKey(map, mergeKey);
            }

            var index = IndexOfKeyValue(original, mergeKey, keyValue);
            if (index >= 0)
            {
                original[index] = MergeMap((JsonObject)original[index]!, map, itemMeta);
            }
            else
            {
                original.Add(map);
            }
        }

        return original;
    }

    // All items of the lists must be of one kind, and not lists themselves.
    private static JsonKind ElementKind(params IReadOnlyList<JsonNode?>[] lists)
    {
        JsonKind? kind = null;
        foreach (var item in lists.SelectMany(list => list))
        {
            var itemKind = JsonNodes.KindOf(item);
            if (kind is null)
            {
                kind = itemKind;
                if (itemKind == JsonKind.Array)
                {
                    throw MergePatchErrors.NoListOfLists();
                }
            }
            else if (kind != itemKind)
            {
                throw MergePatchErrors.Internal($"list element types are not identical: {GoFormat.Lists(lists)}");
            }
        }

        return kind ?? throw MergePatchErrors.Internal("no elements in any of the given slices");
    }

    private static List<JsonNode?> Distinct(IEnumerable<JsonNode?> items)
    {
        var distinct = new List<JsonNode?>();
        foreach (var item in items)
        {
            if (!distinct.Any(seen => JsonNodes.SameValue(seen, item)))
            {
                distinct.Add(item);
            }
        }

        return distinct;
    }

    private static int IndexOfKeyValue(IReadOnlyList<JsonNode?> list, string mergeKey, JsonNode? keyValue)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject map)
            {
                throw MergePatchErrors.Internal($"value for key {i} is not a map");
            }

            if (HasKeyValue(map, mergeKey, keyValue))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool HasKeyValue(JsonObject map, string mergeKey, JsonNode? keyValue) =>
        map.TryGetPropertyValue(mergeKey, out var value) && JsonNodes.SameValue(value, keyValue);
}
