using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>
/// The order of merged lists (design proposal "preserve order in strategic merge patch"):
/// <c>$setElementOrder/field</c> first, then the order of the patch list, then the order of the live list.
/// </summary>
public static partial class StrategicMergePatch
{
    // Each "$setElementOrder/field" is merged together with the patch's "field", then the result is ordered
    // by the directive; both leave the patch so the main merge does not see them again.
    private static void MergeOrderedLists(JsonObject original, JsonObject patch, PatchMeta meta)
    {
        foreach (var (name, orderNode) in patch.ToList())
        {
            if (!name.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            patch.Remove(name);
            if (orderNode is not JsonArray orderList)
            {
                throw MergePatchErrors.BadArgType(GoFormat.SliceType, orderNode);
            }

            var key = DirectiveTarget(name, SetElementOrderPrefix, MergePatchErrors.BadSetElementOrderFormat);
            var originalList = ListField(original, key, out var foundOriginal);
            var patchList = ListField(patch, key, out var foundPatch);
            var field = FieldOf(meta, key);
            var mergeKey = field.Tag.MergeKey;
            var order = orderList.ToList();
            var originalItems = originalList?.ToList() ?? [];
            var patchItems = patchList?.ToList() ?? [];
            ValidateAgainstOrder(patchItems, order, mergeKey);

            List<JsonNode?> merged;
            if (foundOriginal && foundPatch)
            {
                merged = MergeListField(JsonNodes.TakeItems(originalList!), JsonNodes.TakeItems(patchList!), field, isDeleteList: false);
            }
            else if (foundOriginal)
            {
                merged = JsonNodes.TakeItems(originalList!);
            }
            else if (foundPatch)
            {
                RemoveDirectives(patchList);
                merged = JsonNodes.TakeItems(patchList!);
            }
            else
            {
                continue;
            }

            var (inOrder, serverOnly) = string.IsNullOrEmpty(mergeKey)
                ? PartitionPrimitives(merged, order)
                : PartitionMaps(merged, order, mergeKey);
            var kind = ElementKind(originalItems, patchItems);
            original[key] = new JsonArray([.. NormalizeOrder(inOrder, serverOnly, order, originalItems, mergeKey, kind)]);
            patch.Remove(key);
        }
    }

    private static JsonArray? ListField(JsonObject map, string key, out bool found)
    {
        found = map.TryGetPropertyValue(key, out var value);
        if (found && value is not JsonArray)
        {
            throw MergePatchErrors.BadArgType(GoFormat.SliceType, value);
        }

        return value as JsonArray;
    }

    // The patch list must follow the directive's order; the directive may name more items (those the
    // patch does not change).
    private static void ValidateAgainstOrder(List<JsonNode?> patchList, List<JsonNode?> order, string? mergeKey)
    {
        if (order.Count == 0 || patchList.Count == 0)
        {
            return;
        }

        var items = string.IsNullOrEmpty(mergeKey) ? patchList : SplitDeletes(patchList).Keep;
        var patchIndex = 0;
        var orderIndex = 0;
        while (patchIndex < items.Count && orderIndex < order.Count)
        {
            if (items[patchIndex] is JsonObject map && map.ContainsKey(DirectiveMarker))
            {
                patchIndex++;
                continue;
            }

            if (MergeKeyEqual(items[patchIndex], order[orderIndex], mergeKey))
            {
                patchIndex++;
            }

            orderIndex++;
        }

        if (patchIndex < items.Count && orderIndex >= order.Count)
        {
            throw MergePatchErrors.Internal(
                $"the order in patch list:\n{GoFormat.List(patchList)}\n doesn't match {SetElementOrderPrefix} list:\n{GoFormat.List(order)}");
        }
    }

    // Items in the patch are sorted by the patch order, the others by the live order, then the two are
    // interleaved where the live order relates them; patch items go first where it does not.
    private static List<JsonNode?> NormalizeOrder(
        List<JsonNode?> inPatch,
        List<JsonNode?> serverOnly,
        IReadOnlyList<JsonNode?> patchOrder,
        IReadOnlyList<JsonNode?> serverOrder,
        string? mergeKey,
        JsonKind kind)
    {
        inPatch = SortByOrder(inPatch, patchOrder, mergeKey, kind);
        serverOnly = SortByOrder(serverOnly, serverOrder, mergeKey, kind);

        var all = new List<JsonNode?>(inPatch.Count + serverOnly.Count);
        int left = 0, right = 0;
        while (left < serverOnly.Count && right < inPatch.Count)
        {
            var leftIndex = IndexIn(serverOrder, serverOnly[left], mergeKey, kind);
            var rightIndex = IndexIn(serverOrder, inPatch[right], mergeKey, kind);
            all.Add(leftIndex >= 0 && rightIndex >= 0 && leftIndex < rightIndex ? serverOnly[left++] : inPatch[right++]);
        }

        all.AddRange(serverOnly.Skip(left));
        all.AddRange(inPatch.Skip(right));
        return all;
    }

    // A stable sort by position in the order list; "$patch: delete" items go last.
    private static List<JsonNode?> SortByOrder(List<JsonNode?> items, IReadOnlyList<JsonNode?> order, string? mergeKey, JsonKind kind)
    {
        List<JsonNode?> deletes = [];
        if (kind == JsonKind.Object)
        {
            RequireMergeKey(items, mergeKey ?? "");
            RequireMergeKey(order, mergeKey ?? "");
            (items, deletes) = SplitDeletes(items);
        }

        return items
            .Select((item, position) => (Item: item, Position: position, Rank: IndexIn(order, item, mergeKey, kind)))
            .OrderBy(entry => entry.Rank)
            .ThenBy(entry => entry.Position)
            .Select(entry => entry.Item)
            .Concat(deletes)
            .ToList();
    }

    private static (List<JsonNode?> Keep, List<JsonNode?> Deletes) SplitDeletes(List<JsonNode?> items)
    {
        var keep = new List<JsonNode?>();
        var deletes = new List<JsonNode?>();
        foreach (var item in items)
        {
            if (item is not JsonObject map)
            {
                throw MergePatchErrors.BadArgType(GoFormat.MapType, item);
            }

            (map.TryGetPropertyValue(DirectiveMarker, out var directive) && IsString(directive, DeleteDirective) ? deletes : keep).Add(map);
        }

        return (keep, deletes);
    }

    private static void RequireMergeKey(IEnumerable<JsonNode?> items, string mergeKey)
    {
        foreach (var item in items)
        {
            if (item is not JsonObject map)
            {
                throw MergePatchErrors.BadArgType(GoFormat.MapType, item);
            }

            if (!map.ContainsKey(mergeKey))
            {
                throw MergePatchErrors.NoMergeKey(map, mergeKey);
            }
        }
    }

    private static (List<JsonNode?> InList, List<JsonNode?> NotInList) PartitionMaps(List<JsonNode?> items, IReadOnlyList<JsonNode?> list, string mergeKey)
    {
        var inList = new List<JsonNode?>();
        var notInList = new List<JsonNode?>();
        foreach (var item in items)
        {
            if (item is not JsonObject map)
            {
                throw MergePatchErrors.BadArgType(GoFormat.MapType, item);
            }

            if (!map.TryGetPropertyValue(mergeKey, out var keyValue))
            {
                throw MergePatchErrors.NoMergeKey(map, mergeKey);
            }

            (IndexOfKeyValue(list, mergeKey, keyValue) >= 0 ? inList : notInList).Add(map);
        }

        return (inList, notInList);
    }

    private static (List<JsonNode?> InList, List<JsonNode?> NotInList) PartitionPrimitives(List<JsonNode?> items, IReadOnlyList<JsonNode?> list)
    {
        var inList = new List<JsonNode?>();
        var notInList = new List<JsonNode?>();
        foreach (var item in items)
        {
            (list.Any(other => JsonNodes.SameValue(other, item)) ? inList : notInList).Add(item);
        }

        return (inList, notInList);
    }

    private static bool MergeKeyEqual(JsonNode? left, JsonNode? right, string? mergeKey)
    {
        if (string.IsNullOrEmpty(mergeKey))
        {
            return JsonNodes.SameValue(left, right);
        }

        return JsonNodes.SameValue(MergeKeyValue(left, mergeKey), MergeKeyValue(right, mergeKey));

        static JsonNode? MergeKeyValue(JsonNode? item, string mergeKey)
        {
            if (item is not JsonObject map)
            {
                throw MergePatchErrors.BadArgType(GoFormat.MapType, item);
            }

            return map.TryGetPropertyValue(mergeKey, out var value) ? value : throw MergePatchErrors.NoMergeKey(map, mergeKey);
        }
    }

    // Maps are found by their merge key value (a missing key counts as null), primitives by value.
    private static int IndexIn(IReadOnlyList<JsonNode?> list, JsonNode? item, string? mergeKey, JsonKind kind)
    {
        var wanted = kind == JsonKind.Object ? KeyOf(item, mergeKey) : item;
        for (var i = 0; i < list.Count; i++)
        {
            var candidate = kind == JsonKind.Object ? KeyOf(list[i], mergeKey) : list[i];
            if (JsonNodes.SameValue(wanted, candidate))
            {
                return i;
            }
        }

        return -1;

        static JsonNode? KeyOf(JsonNode? item, string? mergeKey) =>
            item is JsonObject map && mergeKey is not null && map.TryGetPropertyValue(mergeKey, out var value) ? value : null;
    }
}
