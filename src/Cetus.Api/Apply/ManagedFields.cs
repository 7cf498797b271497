using System.Globalization;
using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>Reads and writes <c>metadata.managedFields</c>.</summary>
internal static class ManagedFields
{
    private const string FieldsTypeV1 = "FieldsV1";

    /// <summary>The entries of an object; malformed entries and field types other than FieldsV1 are skipped.</summary>
    public static List<ManagedFieldsEntry> Read(JsonObject? obj)
    {
        var entries = new List<ManagedFieldsEntry>();
        if (obj?["metadata"]?["managedFields"] is not JsonArray items)
        {
            return entries;
        }

        foreach (var item in items.OfType<JsonObject>())
        {
            if (Text(item, "manager") is not { } manager || Text(item, "operation") is not { } operation
                || (Text(item, "fieldsType") ?? FieldsTypeV1) != FieldsTypeV1)
            {
                continue;
            }

            var fields = item["fieldsV1"] is JsonObject v1 ? FieldSet.FromFieldsV1(v1) : new FieldSet();
            entries.Add(new ManagedFieldsEntry(
                manager, operation, Text(item, "apiVersion"), Text(item, "time"), Text(item, "subresource") ?? "", fields));
        }

        return entries;
    }

    /// <summary>
    /// Stores the entries on <paramref name="obj"/>, dropping those that own nothing, in upstream's order:
    /// by operation (Apply first), then time, then manager; no entries at all means no managedFields.
    /// </summary>
    public static void Write(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var kept = entries.Where(e => !e.Fields.IsEmpty)
            .OrderBy(e => e.Operation, StringComparer.Ordinal)
            .ThenBy(e => e.Time ?? "", StringComparer.Ordinal)
            .ThenBy(e => e.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion ?? "", StringComparer.Ordinal)
            .ThenBy(e => e.Subresource, StringComparer.Ordinal)
            .ToList();
        if (obj["metadata"] is not JsonObject metadata)
        {
            if (kept.Count == 0)
            {
                return;
            }

            metadata = new JsonObject();
            obj["metadata"] = metadata;
        }

        if (kept.Count == 0)
        {
            metadata.Remove("managedFields");
            return;
        }

        metadata["managedFields"] = new JsonArray([.. kept.Select(ToJson)]);
    }

    /// <summary>Removes managedFields, which are bookkeeping and never part of what is compared or merged.</summary>
    public static void Strip(JsonObject obj) => (obj["metadata"] as JsonObject)?.Remove("managedFields");

    /// <summary>The timestamp format of metav1.Time: RFC 3339 in UTC, whole seconds.</summary>
    public static string FormatTime(DateTime now)
    {
        var utc = now.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(now, DateTimeKind.Utc) : now.ToUniversalTime();
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    // Field order follows metav1.ManagedFieldsEntry, which is how kube-apiserver writes it.
    private static JsonObject ToJson(ManagedFieldsEntry entry)
    {
        var json = new JsonObject { ["manager"] = entry.Manager, ["operation"] = entry.Operation };
        if (entry.ApiVersion is not null)
        {
            json["apiVersion"] = entry.ApiVersion;
        }

        if (entry.Time is not null)
        {
            json["time"] = entry.Time;
        }

        json["fieldsType"] = FieldsTypeV1;
        json["fieldsV1"] = entry.Fields.ToFieldsV1();
        if (entry.Subresource.Length > 0)
        {
            json["subresource"] = entry.Subresource;
        }

        return json;
    }

    private static string? Text(JsonObject item, string name) =>
        item[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
