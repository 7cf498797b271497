using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>
/// Removes from an object the fields an applier stopped applying and nobody else owns, as the updater's
/// <c>prune</c> does. A field is kept when any manager owns it or anything inside it. An object or list that
/// pruning leaves empty goes too, unless someone owns it: Go's <c>omitempty</c> drops an emptied map or
/// slice when the object is written back.
/// </summary>
internal static class FieldPruner
{
    /// <summary>Prunes <paramref name="stale"/> from <paramref name="target"/> in place.</summary>
    /// <param name="target">The merged object.</param>
    /// <param name="stale">The paths the applier owned before and no longer applies.</param>
    /// <param name="owned">Every path some manager owns after the apply.</param>
    /// <param name="schema">The schema of <paramref name="target"/>.</param>
    public static void Prune(JsonObject target, FieldSet stale, FieldSet owned, FieldSchema schema)
    {
        // Parents first: a list item goes whole while its key field is still there to find it by.
        foreach (var path in stale.Paths())
        {
            if (!owned.HasAnyAtOrBelow(path))
            {
                RemoveAndCollapse(target, path, owned, schema);
            }
        }
    }

    private static void RemoveAndCollapse(JsonObject target, IReadOnlyList<string> path, FieldSet owned, FieldSchema schema)
    {
        for (var length = path.Count; length > 0; length--)
        {
            var parentPath = path.Take(length - 1).ToArray();
            var removed = Remove(target, parentPath, path[length - 1], schema);
            // Stop at the top level (metadata, spec) and at anything that is still populated or owned.
            if (!removed || parentPath.Length <= 1 || owned.HasAnyAtOrBelow(parentPath)
                || Resolve(target, parentPath, schema) is not (JsonObject { Count: 0 } or JsonArray { Count: 0 }))
            {
                return;
            }
        }
    }

    private static bool Remove(JsonObject target, IReadOnlyList<string> parentPath, string element, FieldSchema schema)
    {
        var (parent, parentSchema) = ResolveWithSchema(target, parentPath, schema);
        switch (parent)
        {
            case JsonObject fields when PathElements.FieldName(element) is { } name:
                return fields.Remove(name);
            case JsonArray items:
                for (var i = 0; i < items.Count; i++)
                {
                    if (parentSchema.ElementOf(items[i]) == element)
                    {
                        items.RemoveAt(i);
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private static JsonNode? Resolve(JsonObject target, IReadOnlyList<string> path, FieldSchema schema) =>
        ResolveWithSchema(target, path, schema).Node;

    private static (JsonNode? Node, FieldSchema Schema) ResolveWithSchema(JsonObject target, IReadOnlyList<string> path, FieldSchema schema)
    {
        JsonNode? node = target;
        foreach (var element in path)
        {
            switch (node)
            {
                case JsonObject fields when PathElements.FieldName(element) is { } name:
                    node = fields[name];
                    schema = schema.Field(name);
                    break;
                case JsonArray items when schema.KindOf(items) != ListKind.Atomic:
                    var itemSchema = schema;
                    node = items.FirstOrDefault(item => itemSchema.ElementOf(item) == element);
                    schema = schema.Item();
                    break;
                default:
                    return (null, schema);
            }
        }

        return (node, schema);
    }
}
