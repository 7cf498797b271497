using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>
/// The fields an apply configuration sets, as structured-merge-diff's <c>TypedValue.ToFieldSet</c> computes them:
/// every scalar, null, empty object and atomic list; every item of a granular list (its <c>.</c>) and the fields
/// inside it; every entry of a map; but not the struct fields that merely lead to those.
/// </summary>
internal static class FieldSetBuilder
{
    /// <summary>The field set of a whole object.</summary>
    public static FieldSet Build(JsonObject value, FieldSchema schema)
    {
        var set = new FieldSet();
        VisitObject(set, [], value, schema);
        return set;
    }

    private static void VisitObject(FieldSet set, List<string> path, JsonObject value, FieldSchema schema)
    {
        foreach (var (name, child) in value)
        {
            path.Add(PathElements.Field(name));
            var childSchema = schema.Field(name);
            var isLeaf = Visit(set, path, child, childSchema);
            if (isLeaf || schema.EntriesAreKeys)
            {
                set.Insert(path);
            }

            path.RemoveAt(path.Count - 1);
        }
    }

    // Returns whether the value is a leaf, i.e. the path itself must be a member.
    private static bool Visit(FieldSet set, List<string> path, JsonNode? value, FieldSchema schema)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } fields:
                VisitObject(set, path, fields, schema);
                return false;
            case JsonArray { Count: > 0 } items when schema.KindOf(items) != ListKind.Atomic:
                foreach (var item in items)
                {
                    path.Add(schema.ElementOf(item));
                    if (item is JsonObject itemFields)
                    {
                        VisitObject(set, path, itemFields, schema.Item());
                    }

                    set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }

                return false;
            default:
                return true;
        }
    }
}
