using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>
/// Merges an apply configuration into the live object, as structured-merge-diff's <c>TypedValue.Merge</c>:
/// objects merge field by field, associative lists item by item (matched by key), sets by value, and every
/// other value is replaced by the configuration's. Live-only items keep their place and new items are
/// appended, where upstream interleaves them by the configuration's order.
/// </summary>
internal static class ApplyMerge
{
    /// <summary>The merged object; neither input is changed.</summary>
    public static JsonObject Merge(JsonObject live, JsonObject config, FieldSchema schema) =>
        MergeObjects(live, config, schema);

    private static JsonObject MergeObjects(JsonObject live, JsonObject config, FieldSchema schema)
    {
        var result = (JsonObject)live.DeepClone();
        foreach (var (name, value) in config)
        {
            result[name] = result.TryGetPropertyValue(name, out var current)
                ? MergeValues(current, value, schema.Field(name))
                : value?.DeepClone();
        }

        return result;
    }

    private static JsonNode? MergeValues(JsonNode? live, JsonNode? config, FieldSchema schema) => (live, config) switch
    {
        (JsonObject liveFields, JsonObject configFields) => MergeObjects(liveFields, configFields, schema),
        (JsonArray liveItems, JsonArray configItems)
            when schema.KindOf(liveItems) is not ListKind.Atomic && schema.KindOf(configItems) is not ListKind.Atomic
            => MergeLists(liveItems, configItems, schema),
        _ => config?.DeepClone(),
    };

    private static JsonArray MergeLists(JsonArray live, JsonArray config, FieldSchema schema)
    {
        var result = new List<JsonNode?>(live.Select(item => item?.DeepClone()));
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < result.Count; i++)
        {
            positions.TryAdd(schema.ElementOf(result[i]), i);
        }

        foreach (var item in config)
        {
            var element = schema.ElementOf(item);
            if (positions.TryGetValue(element, out var at))
            {
                result[at] = MergeValues(result[at], item, schema.Item());
            }
            else
            {
                positions.Add(element, result.Count);
                result.Add(item?.DeepClone());
            }
        }

        return new JsonArray([.. result]);
    }
}
