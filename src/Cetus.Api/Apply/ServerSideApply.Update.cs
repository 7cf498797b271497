using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>Ownership of the fields a non-apply write changes.</summary>
public static partial class ServerSideApply
{
    /// <summary>
    /// Records a create, update or patch by <paramref name="manager"/>: the fields it added or modified become
    /// that manager's (operation Update, apiVersion of the object), leaving every other manager's set, and the
    /// fields it removed leave every set. An entry left owning nothing is dropped. Updates never conflict:
    /// upstream forces them.
    /// </summary>
    /// <param name="live">The stored object, with its managedFields; null for a create.</param>
    /// <param name="updated">The object about to be stored; its own managedFields are ignored.</param>
    /// <param name="manager">The fieldManager of the request.</param>
    /// <param name="modelType">The KubernetesClient model type of the resource.</param>
    /// <param name="now">The time recorded on the manager's entry when it takes fields.</param>
    /// <returns>A copy of <paramref name="updated"/> with managedFields set.</returns>
    public static JsonObject RecordUpdate(JsonObject? live, JsonObject updated, string manager, Type modelType, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(updated);
        var current = Detached(live);
        var result = Detached(updated);
        var (changed, removed, apiVersion) = CompareForUpdate(current, result, manager, modelType);
        ManagedFields.Write(result, UpdateEntries(ManagedFields.Read(live), changed, removed, manager, "", apiVersion, now));
        return result;
    }

    /// <summary>
    /// The managedFields a non-apply write by <paramref name="manager"/> leaves, as <see cref="RecordUpdate"/> computes
    /// them, without copying either object. The entries are read from <paramref name="live"/>; managedFields take no
    /// part in the comparison (no manager owns them), so <paramref name="updated"/> may carry any or none. Neither
    /// object is changed.
    /// </summary>
    /// <param name="live">The stored object, with its managedFields; null for a create.</param>
    /// <param name="updated">The object about to be stored.</param>
    /// <param name="manager">The fieldManager of the request.</param>
    /// <param name="subresource">The subresource written through ("status"), empty for the main resource: upstream
    /// keeps a manager's writes through each subresource in an entry of their own.</param>
    /// <param name="modelType">The KubernetesClient model type of the resource.</param>
    /// <param name="now">The time recorded on the manager's entry when it takes fields.</param>
    /// <returns>The <c>metadata.managedFields</c> array, or null when no manager owns anything.</returns>
    public static JsonArray? RecordUpdateManagedFields(JsonObject? live, JsonObject updated, string manager, string subresource, Type modelType, DateTime now) =>
        RecordOwnership(live, updated, manager, subresource, modelType, now, shortcut: false).ManagedFields;

    /// <summary>
    /// As <see cref="RecordUpdateManagedFields"/>, but when the write leaves every manager owning what it owned (the
    /// common case of a client writing again the fields it alone owns, like a node renewing its Lease), the
    /// managedFields are not rebuilt: the result says which live entry only takes the time <paramref name="now"/>, if
    /// any, and in which order the live entries, which the caller already holds, stand then.
    /// </summary>
    /// <param name="live">The stored object, with its managedFields; null for a create.</param>
    /// <param name="updated">The object about to be stored.</param>
    /// <param name="manager">The fieldManager of the request.</param>
    /// <param name="subresource">The subresource written through, empty for the main resource.</param>
    /// <param name="modelType">The KubernetesClient model type of the resource.</param>
    /// <param name="now">The time recorded on the manager's entry when it takes fields.</param>
    /// <param name="liveManagedFields">The stored object's managedFields array as serialized, when
    /// <paramref name="live"/> is given without them: they are read from these bytes then, their field sets shared
    /// between objects whose FieldsV1 read the same (<see cref="FieldsV1Cache"/>).</param>
    /// <param name="shortcut">False: the entries are always computed (<see cref="UpdateOwnership.ManagedFields"/>).</param>
    public static UpdateOwnership RecordUpdateOwnership(JsonObject? live, JsonObject updated, string manager, string subresource, Type modelType, DateTime now, ReadOnlyMemory<byte>? liveManagedFields = null, bool shortcut = true) =>
        RecordOwnership(live, updated, manager, subresource, modelType, now, shortcut, liveManagedFields);

    private static UpdateOwnership RecordOwnership(JsonObject? live, JsonObject updated, string manager, string subresource, Type modelType, DateTime now, bool shortcut, ReadOnlyMemory<byte>? liveManagedFields = null)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(subresource);
        var (changed, removed, apiVersion) = CompareForUpdate(live ?? [], updated, manager, modelType);
        var (entries, count) = LiveEntries(live, liveManagedFields);
        if (shortcut && live is not null && entries.Count == count && Retouched(entries, changed, removed, manager, subresource, apiVersion) is { } retouched)
        {
            // The retouched entry's new time may move it: the live entries' order once it is set, as Write sorts.
            var time = ManagedFields.FormatTime(now);
            var order = Enumerable.Range(0, entries.Count)
                .OrderBy(i => i == retouched ? entries[i] with { Time = time } : entries[i], ManagedFields.Order)
                .ToArray();
            return new UpdateOwnership(null, order, retouched);
        }

        var metadata = new JsonObject();
        ManagedFields.Write(new JsonObject { ["metadata"] = metadata }, UpdateEntries(entries, changed, removed, manager, subresource, apiVersion, now));
        var array = metadata["managedFields"] as JsonArray;
        metadata.Remove("managedFields");
        return new UpdateOwnership(array, null, -1);
    }

    // The live entries, and how many items the live managedFields hold (malformed ones, which are skipped, included).
    private static (List<ManagedFieldsEntry> Entries, int Count) LiveEntries(JsonObject? live, ReadOnlyMemory<byte>? serialized)
    {
        if (serialized is { } bytes)
        {
            var entries = ManagedFields.Read(bytes.Span, out var count);
            return (entries, count);
        }

        return (ManagedFields.Read(live), ManagedFields.Count(live));
    }

    // What the write changed and removed (without the never-owned fields), and the apiVersion it writes in.
    private static (FieldSet Changed, FieldSet Removed, string? ApiVersion) CompareForUpdate(JsonObject current, JsonObject result, string manager, Type modelType)
    {
        ArgumentException.ThrowIfNullOrEmpty(manager);
        ArgumentNullException.ThrowIfNull(modelType);

        var schema = FieldSchema.Root(modelType);
        var apiVersion = ApiVersionOf(result) ?? ApiVersionOf(current);
        var comparison = FieldComparer.Compare(current, result, schema);
        // Both sets are this comparison's own, used only here.
        return (StripMeta.ApplyInPlace(comparison.Changed), StripMeta.ApplyInPlace(comparison.Removed), apiVersion);
    }

    /// <summary>
    /// When the write changes nobody's ownership, the index of the live entry whose time alone changes (-1: none);
    /// null when the entries must be computed. That is: nothing removed, and either nothing changed or every changed
    /// field owned already by the writer's own entry and by no other; the live entries (the caller checks that none
    /// was skipped as malformed) none empty and in the order <see cref="ManagedFields.Write"/> keeps, so that writing
    /// them again would give them back as they are.
    /// </summary>
    private static int? Retouched(List<ManagedFieldsEntry> live, FieldSet changed, FieldSet removed, string manager, string subresource, string? apiVersion)
    {
        if (!removed.IsEmpty)
        {
            return null;
        }

        for (var i = 0; i < live.Count; i++)
        {
            if (live[i].Fields.IsEmpty || (i > 0 && ManagedFields.CompareOrder(live[i - 1], live[i]) > 0))
            {
                return null;
            }
        }

        if (changed.IsEmpty)
        {
            return -1;
        }

        var index = live.FindIndex(e => e.SameIdentity(manager, ManagedFieldsEntry.Update, apiVersion, subresource));
        if (index < 0 || !changed.Difference(live[index].Fields).IsEmpty)
        {
            return null;
        }

        for (var i = 0; i < live.Count; i++)
        {
            if (i != index && !live[i].Fields.Intersection(changed).IsEmpty)
            {
                return null;
            }
        }

        return index;
    }

    private static List<ManagedFieldsEntry> UpdateEntries(List<ManagedFieldsEntry> live, FieldSet changed, FieldSet removed, string manager, string subresource, string? apiVersion, DateTime now)
    {
        var entries = live.ConvertAll(e => e with { Fields = e.Fields.Difference(changed).Difference(removed) });
        if (!changed.IsEmpty)
        {
            // As upstream, the write's fields join whatever this manager already owned through the same version.
            var index = entries.FindIndex(e => e.SameIdentity(manager, ManagedFieldsEntry.Update, apiVersion, subresource));
            var owned = index >= 0 ? entries[index].Fields.Union(changed) : changed;
            var entry = new ManagedFieldsEntry(manager, ManagedFieldsEntry.Update, apiVersion, ManagedFields.FormatTime(now), subresource, owned);
            if (index >= 0)
            {
                entries[index] = entry;
            }
            else
            {
                entries.Add(entry);
            }
        }

        return entries;
    }
}
