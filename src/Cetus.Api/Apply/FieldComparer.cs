using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>
/// Compares two versions of an object field by field, as structured-merge-diff's compare walker does: objects
/// and granular lists are descended, everything else (scalars, atomic lists, and values that are empty on both
/// sides) is compared whole as a leaf, and an object or item that appears or disappears is itself added or
/// removed along with everything inside it.
/// </summary>
internal static class FieldComparer
{
    /// <summary>Compares <paramref name="before"/> with <paramref name="after"/>.</summary>
    public static FieldComparison Compare(JsonObject before, JsonObject after, FieldSchema schema)
    {
        var result = new FieldComparison(new FieldSet(), new FieldSet(), new FieldSet());
        CompareObjects(result, [], before, after, schema);
        return result;
    }

    private static void CompareObjects(FieldComparison result, List<string> path, JsonObject? before, JsonObject? after, FieldSchema schema)
    {
        // Every field of either side once: those of `before`, then those only `after` has.
        foreach (var (name, node) in before ?? [])
        {
            CompareField(result, path, name, new Side(true, node), Side.Of(after, name), schema);
        }

        foreach (var (name, node) in after ?? [])
        {
            if (before is null || !before.ContainsKey(name))
            {
                CompareField(result, path, name, Side.Missing, new Side(true, node), schema);
            }
        }
    }

    private static void CompareField(FieldComparison result, List<string> path, string name, Side before, Side after, FieldSchema schema)
    {
        path.Add(PathElements.Field(name));
        CompareValues(result, path, before, after, schema.Field(name));
        path.RemoveAt(path.Count - 1);
    }

    private static void CompareValues(FieldComparison result, List<string> path, Side before, Side after, FieldSchema schema)
    {
        var value = after.Present ? after.Node : before.Node;
        var bothEmpty = IsEmpty(before) && IsEmpty(after);
        if (!bothEmpty && value is JsonObject && Fits<JsonObject>(before) && Fits<JsonObject>(after))
        {
            CompareObjects(result, path, before.Node as JsonObject, after.Node as JsonObject, schema);
            MarkAppearance(result, path, before, after);
        }
        else if (!bothEmpty && value is JsonArray && Fits<JsonArray>(before) && Fits<JsonArray>(after)
            && Granular(schema, before) && Granular(schema, after))
        {
            CompareLists(result, path, before.Node as JsonArray, after.Node as JsonArray, schema);
        }
        else if (!before.Present)
        {
            result.Added.Insert(path);
        }
        else if (!after.Present)
        {
            result.Removed.Insert(path);
        }
        else if (!JsonNode.DeepEquals(before.Node, after.Node))
        {
            result.Modified.Insert(path);
        }
    }

    private static void CompareLists(FieldComparison result, List<string> path, JsonArray? before, JsonArray? after, FieldSchema schema)
    {
        // Duplicate identities are not told apart: the last item with a key stands for it.
        var old = Index(before, schema);
        var @new = Index(after, schema);
        foreach (var element in old.Keys.Union(@new.Keys, StringComparer.Ordinal).ToList())
        {
            var oldItem = old.TryGetValue(element, out var o) ? new Side(true, o) : Side.Missing;
            var newItem = @new.TryGetValue(element, out var n) ? new Side(true, n) : Side.Missing;
            path.Add(element);
            if ((oldItem.Node ?? newItem.Node) is JsonObject)
            {
                CompareObjects(result, path, oldItem.Node as JsonObject, newItem.Node as JsonObject, schema.Item());
                MarkAppearance(result, path, oldItem, newItem);
            }
            else
            {
                CompareValues(result, path, oldItem, newItem, schema.Item());
            }

            path.RemoveAt(path.Count - 1);
        }
    }

    private static void MarkAppearance(FieldComparison result, List<string> path, Side before, Side after)
    {
        // Upstream decodes into Go structs whose top-level parts (metadata, spec, status) always exist, so they
        // never appear or disappear as a whole.
        if (path.Count == 1)
        {
            return;
        }

        if (!before.Present)
        {
            result.Added.Insert(path);
        }
        else if (!after.Present)
        {
            result.Removed.Insert(path);
        }
    }

    private static Dictionary<string, JsonNode?> Index(JsonArray? items, FieldSchema schema)
    {
        var index = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            index[schema.ElementOf(item)] = item;
        }

        return index;
    }

    private static bool Fits<T>(Side side) where T : JsonNode => !side.Present || side.Node is T;

    private static bool Granular(FieldSchema schema, Side side) =>
        side.Node is not JsonArray items || schema.KindOf(items) != ListKind.Atomic;

    // Upstream treats a value empty on both sides as a leaf, so {} versus a missing field is a change of that field.
    private static bool IsEmpty(Side side) => side.Node switch
    {
        null => true,
        JsonObject fields => fields.Count == 0,
        JsonArray items => items.Count == 0,
        _ => false,
    };

    // A missing field and a field set to null are different things to ownership.
    private readonly record struct Side(bool Present, JsonNode? Node)
    {
        public static Side Missing => default;

        public static Side Of(JsonObject? parent, string name) =>
            parent is not null && parent.TryGetPropertyValue(name, out var node) ? new Side(true, node) : Missing;
    }
}
