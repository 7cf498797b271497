using System.Text.Json.Nodes;
using Cetus.Api.Apply;
using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// metadata.managedFields, as kube-apiserver keeps them: every write records the fields it changed under its field
/// manager (operation Update); server-side apply merges a manager's configuration and owns exactly what it applied.
/// </summary>
internal static class FieldManagement
{
    /// <summary>The manager: the fieldManager parameter, else the client's user agent up to its first '/' (as kube-apiserver).</summary>
    public static string Manager(ResourceRequest request)
    {
        if (request.Query("fieldManager") is { Length: > 0 } manager)
        {
            if (manager.Length > 128 || manager.Any(char.IsControl))
            {
                throw Problems.BadRequest("fieldManager: Invalid value: must be at most 128 printable characters");
            }

            return manager;
        }

        var agent = request.Http.Request.Headers.UserAgent.ToString();
        var slash = agent.IndexOf('/', StringComparison.Ordinal);
        var name = slash > 0 ? agent[..slash] : agent;
        return name.Length == 0 ? "unknown" : name.Length > 128 ? name[..128] : name;
    }

    /// <summary>
    /// Returns <paramref name="item"/> with managedFields updated for a non-apply write by <paramref name="manager"/>.
    /// A write through the status (or approval) subresource is left as it is: only part of it is kept, so
    /// <see cref="UpdateHandler"/> records it with <see cref="RecordSubresourceUpdate"/> once the rest is reset.
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> RecordUpdate(ResourceRequest request, StoredObject? current, IKubernetesObject<V1ObjectMeta> item, string manager, DateTime now) =>
        IsPartial(request) ? item : Record(request, current, item, manager, "", now);

    /// <summary>
    /// Records a status (or approval) write by the request's manager on <paramref name="item"/>, the object as it
    /// will be stored (everything but status as stored): the manager owns what it changed, in an entry of its own
    /// with subresource "status", as kube-apiserver records a kubelet's or a controller's status writes.
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> RecordSubresourceUpdate(ResourceRequest request, StoredObject current, IKubernetesObject<V1ObjectMeta> item, DateTime now) =>
        Record(request, current, item, Manager(request), request.Info.Subresource, now);

    // Writes through these subresources keep only part of the object (status, or a CSR's conditions).
    private static bool IsPartial(ResourceRequest request) => request.Info.Subresource is "status" or "approval";

    // The stored object is compared as its wire JSON, already serialized (resourceVersion in it owns no field).
    private static IKubernetesObject<V1ObjectMeta> Record(ResourceRequest request, StoredObject? current, IKubernetesObject<V1ObjectMeta> item, string manager, string subresource, DateTime now)
    {
        var definition = request.Definition;
        var serialized = ObjectMetadata.Guard(definition, () => KubeJson.Serialize(item, definition.Type));
        // A create of a shape seen before owns what the first one did (CreateShapes).
        var shape = current is null ? CreateShapes.Key(serialized, manager, subresource, definition.Type) : null;
        if (shape is not null && CreateShapes.TryGet(shape, EntryTime(now), out var known))
        {
            item.Metadata.ManagedFields = known;
            return item;
        }

        var (live, updated, liveManagedFields) = ObjectMetadata.Guard(definition, () => ChangedParts(current?.Json, serialized));
        var ownership = ObjectMetadata.Guard(definition, () => ServerSideApply.RecordUpdateOwnership(live, updated, manager, subresource, definition.Type, now, liveManagedFields));
        if (ownership.LiveOrder is { } order && current?.Item.Metadata.ManagedFields is { } held && held.Count == order.Count)
        {
            // Nobody's ownership changed (a Lease renewal, a status written again): the stored entries stand.
            var time = EntryTime(now);
            item.Metadata.ManagedFields = [.. order.Select(i => CopyEntry(held[i], i == ownership.Retouched ? time : null))];
            return item;
        }

        var entries = ownership.LiveOrder is null
            ? ownership.ManagedFields
            : ObjectMetadata.Guard(definition, () => ServerSideApply.RecordUpdateOwnership(live, updated, manager, subresource, definition.Type, now, liveManagedFields, shortcut: false).ManagedFields);
        // Only managedFields change: decode just those onto the item.
        item.Metadata.ManagedFields = entries is null
            ? null
            : KubeJson.Deserialize<List<V1ManagedFieldsEntry>>(System.Text.Encoding.UTF8.GetBytes(entries.ToJsonString()));
        if (shape is not null && item.Metadata.ManagedFields is { } computed)
        {
            CreateShapes.Add(shape, computed);
        }

        return item;
    }

    /// <summary>A new entry like <paramref name="entry"/> (its fieldsV1, an immutable JsonElement once decoded, shared), with <paramref name="time"/> when given.</summary>
    internal static V1ManagedFieldsEntry CopyEntry(V1ManagedFieldsEntry entry, DateTime? time) => new()
    {
        ApiVersion = entry.ApiVersion,
        FieldsType = entry.FieldsType,
        FieldsV1 = entry.FieldsV1,
        Manager = entry.Manager,
        Operation = entry.Operation,
        Subresource = entry.Subresource,
        Time = time ?? entry.Time,
    };

    // An entry's time as the computation records it (ManagedFields.FormatTime): UTC, to the second.
    private static DateTime EntryTime(DateTime now)
    {
        var utc = now.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(now, DateTimeKind.Utc) : now.ToUniversalTime();
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    /// <summary>Server-side apply of <paramref name="configuration"/> onto <paramref name="current"/> (null: create). 409 on conflicts unless forced.</summary>
    public static IKubernetesObject<V1ObjectMeta> Apply(ResourceRequest request, IKubernetesObject<V1ObjectMeta>? current, JsonNode configuration, string manager, bool force, DateTime now)
    {
        var definition = request.Definition;
        if (configuration is not JsonObject applied)
        {
            throw Problems.BadRequest("the apply configuration must be an object");
        }

        // The configuration is checked like any body (kind, apiVersion, unknown fields) before it is merged.
        BodyReader.DecodeObject(request, applied, definition);
        var live = current is null ? null : ToJson(current, definition.Type);
        var result = ObjectMetadata.Guard(definition, () => ServerSideApply.Apply(live, applied, manager, force, definition.Type, now));
        if (result.Conflicts.Count > 0)
        {
            throw Conflicts(definition, request.Name, result.Conflicts);
        }

        return BodyReader.DecodeTrusted(result.Object!, definition);
    }

    private static ApiException Conflicts(Cetus.Api.Scheme.ResourceDefinition definition, string name, IReadOnlyList<ApplyConflict> conflicts)
    {
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\": {conflicts[0].Field}"
            : $"Apply failed with {conflicts.Count} conflicts: " + string.Join("\n", conflicts.GroupBy(c => c.Manager).Select(g => $"conflicts with \"{g.Key}\":\n" + string.Join("\n", g.Select(c => $"- {c.Field}"))));
        return new ApiException(Problems.Status(409, "Conflict", message, new V1StatusDetails
        {
            Name = name,
            Group = definition.Group.Length == 0 ? null : definition.Group,
            Kind = definition.Plural,
            Causes = conflicts.Select(c => new V1StatusCause { Reason = "FieldManagerConflict", Message = $"conflict with \"{c.Manager}\"", Field = c.Field }).ToList(),
        }));
    }

    private static JsonObject ToJson(IKubernetesObject<V1ObjectMeta> item, Type type) =>
        JsonNode.Parse(KubeJson.Serialize(item, type))!.AsObject();

    /// <summary>
    /// The two serialized versions of an object as trees to compare, without what cannot change the outcome: the
    /// fields, at the top level and in metadata, whose JSON is byte for byte the same on both sides (a status write
    /// leaves spec as it was; a binding leaves status), which are neither parsed nor walked, and the managedFields,
    /// which no manager owns: the stored object's (the record to update) are returned as their serialized bytes, a
    /// client's own are ignored. apiVersion and kind are always kept (the entries' version is read from them).
    /// </summary>
    private static (JsonObject? Live, JsonObject Updated, ReadOnlyMemory<byte>? LiveManagedFields) ChangedParts(byte[]? live, byte[] updated)
    {
        var after = JsonFields.Of(updated);
        var afterMetadata = after.Metadata();
        if (live is null)
        {
            return (null, Tree(after, afterMetadata, null, null), null);
        }

        var before = JsonFields.Of(live);
        var beforeMetadata = before.Metadata();
        var managedFields = beforeMetadata?.Field("managedFields");
        return (Tree(before, beforeMetadata, after, afterMetadata), Tree(after, afterMetadata, before, beforeMetadata), managedFields ?? "[]"u8.ToArray());
    }

    // The object as a tree, without its managedFields and the fields whose value is the same in `other` (when given).
    private static JsonObject Tree(JsonFields json, JsonFields? metadata, JsonFields? other, JsonFields? otherMetadata)
    {
        var tree = new JsonObject();
        foreach (var (name, value) in json.Fields)
        {
            if (name == "metadata" && metadata is not null)
            {
                var changed = new JsonObject();
                foreach (var (field, fieldValue) in metadata.Fields)
                {
                    if (field != "managedFields" && !Equal(fieldValue, otherMetadata?.Field(field)))
                    {
                        changed[field] = JsonNode.Parse(fieldValue.Span);
                    }
                }

                tree[name] = changed;
            }
            else if (name is "apiVersion" or "kind" || !Equal(value, other?.Field(name)))
            {
                tree[name] = JsonNode.Parse(value.Span);
            }
        }

        return tree;
    }

    private static bool Equal(ReadOnlyMemory<byte> value, ReadOnlyMemory<byte>? other) =>
        other is { } o && o.Span.SequenceEqual(value.Span);

    /// <summary>A serialized JSON object's top-level fields, each with the bytes of its value.</summary>
    private sealed record JsonFields(List<(string Name, ReadOnlyMemory<byte> Value)> Fields)
    {
        // The names objects' top level and metadata mostly use, read without making a string each time.
        private static readonly string[] KnownNames =
        [
            "apiVersion", "kind", "metadata", "spec", "status", "name", "namespace", "uid", "resourceVersion", "generation",
            "creationTimestamp", "deletionTimestamp", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
            "generateName", "data",
        ];

        private static readonly byte[][] KnownUtf8 = [.. KnownNames.Select(System.Text.Encoding.UTF8.GetBytes)];

        public static JsonFields Of(ReadOnlyMemory<byte> json)
        {
            var fields = new List<(string Name, ReadOnlyMemory<byte> Value)>(8);
            var reader = new System.Text.Json.Utf8JsonReader(json.Span);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                throw new InvalidOperationException("the object is not serialized as a JSON object");
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var name = Name(ref reader);
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                fields.Add((name, json[start..(int)reader.BytesConsumed]));
            }

            return new JsonFields(fields);
        }

        /// <summary>The fields of the metadata object, null when there is none.</summary>
        public JsonFields? Metadata() => Field("metadata") is { } metadata && metadata.Span is [(byte)'{', ..] ? Of(metadata) : null;

        public ReadOnlyMemory<byte>? Field(string name)
        {
            foreach (var (field, value) in Fields)
            {
                if (field == name)
                {
                    return value;
                }
            }

            return null;
        }

        private static string Name(ref System.Text.Json.Utf8JsonReader reader)
        {
            for (var i = 0; i < KnownUtf8.Length; i++)
            {
                if (reader.ValueTextEquals(KnownUtf8[i]))
                {
                    return KnownNames[i];
                }
            }

            return reader.GetString()!;
        }
    }
}
