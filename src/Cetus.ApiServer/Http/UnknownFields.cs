using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Cetus.Api.Json;

namespace Cetus.ApiServer.Http;

/// <summary>
/// Every field of a body that its type does not declare, as kube-apiserver's strict decoding lists them all
/// (<c>unknown field "spec.containers[0].bogus"</c>), where the strict deserializer stops at the first. The body is
/// walked with the deserializer's own view of the types (<see cref="KubeJson.StrictOptions"/>): objects by their
/// properties as it matches them, maps by their values, lists by their items; values it converts itself (quantities,
/// int-or-string, timestamps, free-form objects) are not looked into. The body's duplicate fields (found while it was
/// parsed) are listed where they stand, as upstream's single pass meets them; those the walk does not reach, last.
/// </summary>
internal static class UnknownFields
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>> Properties = new();

    /// <summary>
    /// The findings of strict decoding in <paramref name="body"/>, in document order: <c>unknown field "path"</c> for
    /// each field that <paramref name="type"/> does not declare, <c>duplicate field "path"</c> for each of
    /// <paramref name="duplicates"/>.
    /// </summary>
    public static List<string> Of(JsonNode body, Type type, IReadOnlyList<string> duplicates)
    {
        var found = new List<string>();
        var pending = new HashSet<string>(duplicates, StringComparer.Ordinal);
        Walk(body, type, "", found, pending);
        found.AddRange(duplicates.Where(pending.Contains).Select(Duplicate));
        return found;
    }

    private static string Duplicate(string path) => $"duplicate field \"{path}\"";

    private static void Walk(JsonNode? node, Type type, string path, List<string> found, HashSet<string> duplicates)
    {
        if (node is null)
        {
            return;
        }

        var info = KubeJson.StrictOptions.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when node is JsonObject obj:
                var properties = Properties.GetOrAdd(type, _ => Declared(info));
                foreach (var (name, value) in obj)
                {
                    var child = path.Length == 0 ? name : path + "." + name;
                    if (properties.TryGetValue(name, out var propertyType))
                    {
                        Walk(value, propertyType, child, found, duplicates);
                    }
                    else
                    {
                        found.Add($"unknown field \"{child}\"");
                    }

                    Met(child, found, duplicates);
                }

                break;
            case JsonTypeInfoKind.Dictionary when node is JsonObject map && info.ElementType is { } valueType:
                foreach (var (key, value) in map)
                {
                    var child = path.Length == 0 ? key : path + "." + key;
                    Walk(value, valueType, child, found, duplicates);
                    Met(child, found, duplicates);
                }

                break;
            case JsonTypeInfoKind.Enumerable when node is JsonArray list && info.ElementType is { } itemType:
                for (var i = 0; i < list.Count; i++)
                {
                    Walk(list[i], itemType, $"{path}[{i}]", found, duplicates);
                }

                break;
        }
    }

    // A field given twice is reported once the walk has passed it.
    private static void Met(string path, List<string> found, HashSet<string> duplicates)
    {
        if (duplicates.Count > 0 && duplicates.Remove(path))
        {
            found.Add(Duplicate(path));
        }
    }

    // The names the deserializer matches, with the type each one reads.
    private static IReadOnlyDictionary<string, Type> Declared(JsonTypeInfo info)
    {
        var comparer = info.Options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var declared = new Dictionary<string, Type>(comparer);
        foreach (var property in info.Properties)
        {
            declared.TryAdd(property.Name, property.PropertyType);
        }

        return declared;
    }
}
