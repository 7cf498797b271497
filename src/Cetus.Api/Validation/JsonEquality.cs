using System.Text.Json;
using System.Text.Json.Nodes;
using Cetus.Api.Json;

namespace Cetus.Api.Validation;

/// <summary>
/// Deep equality of API values as Kubernetes' semantic equality sees them (the models' record equality compares
/// lists by reference): map keys in any order, and an empty list or map equal to an absent one. Quantities are
/// compared as written ("1" and "1000m" differ here, not upstream).
/// </summary>
internal static class JsonEquality
{
    public static bool Same<T>(T? a, T? b) =>
        ReferenceEquals(a, b) || JsonNode.DeepEquals(Canonical(JsonSerializer.SerializeToNode(a, typeof(T), KubeJson.Options)), Canonical(JsonSerializer.SerializeToNode(b, typeof(T), KubeJson.Options)));

    /// <summary>A deep copy through the wire form.</summary>
    public static T Clone<T>(T value) where T : class =>
        JsonSerializer.Deserialize<T>(JsonSerializer.SerializeToUtf8Bytes(value, KubeJson.Options), KubeJson.Options)!;

    // Drops empty lists and maps (and so objects left empty), which the forked reflect.DeepEqual treats as absent.
    private static JsonNode? Canonical(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var value = Canonical(obj[name]);
                    if (value is null)
                    {
                        obj.Remove(name);
                    }
                    else if (!ReferenceEquals(value, obj[name]))
                    {
                        obj[name] = value;
                    }
                }

                return obj.Count == 0 ? null : obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var item = Canonical(array[i]);
                    if (!ReferenceEquals(item, array[i]))
                    {
                        array[i] = item;
                    }
                }

                return array.Count == 0 ? null : array;
            default:
                return node;
        }
    }
}
