using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>Reads and writes <c>metadata.managedFields</c>.</summary>
internal static class ManagedFields
{
    private const string FieldsTypeV1 = "FieldsV1";

    // The members of an entry read from bytes; fieldsV1 first.
    private static readonly byte[][] EntryFields =
        [.. new[] { "fieldsV1", "manager", "operation", "apiVersion", "time", "fieldsType", "subresource" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>The order of <see cref="CompareOrder"/>; OrderBy's sort with it is stable (equal entries keep their order).</summary>
    public static readonly Comparer<ManagedFieldsEntry> Order = Comparer<ManagedFieldsEntry>.Create(CompareOrder);

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
    /// As <see cref="Read(JsonObject?)"/>, from the serialized managedFields array <paramref name="json"/>; the field
    /// sets come from <see cref="FieldsV1Cache"/> (frozen: change copies). <paramref name="count"/> is the number of
    /// items of the array, malformed ones included.
    /// </summary>
    public static List<ManagedFieldsEntry> Read(ReadOnlySpan<byte> json, out int count)
    {
        var entries = new List<ManagedFieldsEntry>();
        count = 0;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return entries;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? manager = null, operation = null, apiVersion = null, time = null, fieldsType = null, subresource = null;
            FieldSet? fields = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Matched before moving on, unescaped (as the JsonNode reading would).
                var field = -1;
                for (var f = 0; f < EntryFields.Length && field < 0; f++)
                {
                    field = reader.ValueTextEquals(EntryFields[f]) ? f : -1;
                }

                reader.Read();
                if (field == 0)
                {
                    var start = (int)reader.TokenStartIndex;
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                    fields = isObject ? FieldsV1Cache.Get(json[start..(int)reader.BytesConsumed]) : null;
                    continue;
                }

                var text = field > 0 && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
                switch (field)
                {
                    case 1: manager = text; break;
                    case 2: operation = text; break;
                    case 3: apiVersion = text; break;
                    case 4: time = text; break;
                    case 5: fieldsType = text; break;
                    case 6: subresource = text; break;
                }
            }

            if (manager is not null && operation is not null && (fieldsType ?? FieldsTypeV1) == FieldsTypeV1)
            {
                entries.Add(new ManagedFieldsEntry(manager, operation, apiVersion, time, subresource ?? "", fields ?? new FieldSet()));
            }
        }

        return entries;
    }

    /// <summary>
    /// Stores the entries on <paramref name="obj"/>, dropping those that own nothing, in upstream's order:
    /// by operation (Apply first), then time, then manager; no entries at all means no managedFields.
    /// </summary>
    public static void Write(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var kept = entries.Where(e => !e.Fields.IsEmpty).OrderBy(e => e, Order).ToList();
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

    /// <summary>How many entries <paramref name="obj"/>'s managedFields hold, malformed ones included.</summary>
    public static int Count(JsonObject? obj) => obj?["metadata"]?["managedFields"] is JsonArray items ? items.Count : 0;

    /// <summary>The order <see cref="Write"/> keeps: by operation (Apply first), then time, manager, apiVersion and subresource.</summary>
    public static int CompareOrder(ManagedFieldsEntry a, ManagedFieldsEntry b)
    {
        var c = string.CompareOrdinal(a.Operation, b.Operation);
        c = c != 0 ? c : string.CompareOrdinal(a.Time ?? "", b.Time ?? "");
        c = c != 0 ? c : string.CompareOrdinal(a.Manager, b.Manager);
        c = c != 0 ? c : string.CompareOrdinal(a.ApiVersion ?? "", b.ApiVersion ?? "");
        return c != 0 ? c : string.CompareOrdinal(a.Subresource, b.Subresource);
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
