using System.Text.Json.Nodes;

namespace Cetus.Api.Patching;

/// <summary>The map-level directives: <c>$retainKeys</c>, and stripping directives and nulls from new values.</summary>
public static partial class StrategicMergePatch
{
    // "$retainKeys": [...] clears every field of the original not listed, so a client can switch a one-of
    // (strategy type, volume source) without naming the fields it drops. Every field the patch sets must be listed.
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var retain))
        {
            return;
        }

        patch.Remove(RetainKeysDirective);
        if (retain is not JsonArray retainList)
        {
            throw MergePatchErrors.BadRetainKeysFormat();
        }

        var keep = retainList
            .Where(item => JsonNodes.KindOf(item) == JsonKind.String)
            .Select(item => item!.GetValue<string>())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (name, value) in patch)
        {
            if (value is null
                || name.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                || name.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!keep.Contains(name))
            {
                throw MergePatchErrors.BadRetainKeysFormat();
            }
        }

        foreach (var name in original.Select(p => p.Key).ToList())
        {
            if (!keep.Contains(name))
            {
                original.Remove(name);
            }
        }
    }

    // "$deleteFromPrimitiveList/finalizers" names the list "finalizers".
    private static string DirectiveTarget(string name, string prefix, Func<PatchException> malformed)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !name.AsSpan(0, slash).SequenceEqual(prefix))
        {
            throw malformed();
        }

        return name[(slash + 1)..];
    }

    // Drops, in place, every map carrying "$patch" (and list items that are such maps); false when the
    // value itself is one.
    private static bool RemoveDirectives(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                if (map.ContainsKey(DirectiveMarker))
                {
                    return false;
                }

                foreach (var (name, value) in map.ToList())
                {
                    if (!RemoveDirectives(value))
                    {
                        map.Remove(name);
                    }
                }

                return true;
            case JsonArray list:
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (!RemoveDirectives(list[i]))
                    {
                        list.RemoveAt(i);
                    }
                }

                return true;
            default:
                return true;
        }
    }

    // Removes null fields at every depth; nulls that are list items stay, as upstream leaves them.
    private static void DiscardNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (name, value) in map.ToList())
                {
                    if (value is null)
                    {
                        map.Remove(name);
                    }
                    else
                    {
                        DiscardNulls(value);
                    }
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    DiscardNulls(item);
                }

                break;
        }
    }
}
