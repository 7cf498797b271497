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
        ManagedFields.Write(result, UpdateEntries(live, current, result, manager, "", modelType, now));
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
    public static JsonArray? RecordUpdateManagedFields(JsonObject? live, JsonObject updated, string manager, string subresource, Type modelType, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(subresource);
        var entries = UpdateEntries(live, live ?? [], updated, manager, subresource, modelType, now);
        var metadata = new JsonObject();
        ManagedFields.Write(new JsonObject { ["metadata"] = metadata }, entries);
        var array = metadata["managedFields"] as JsonArray;
        metadata.Remove("managedFields");
        return array;
    }

    private static List<ManagedFieldsEntry> UpdateEntries(JsonObject? live, JsonObject current, JsonObject result, string manager, string subresource, Type modelType, DateTime now)
    {
        ArgumentException.ThrowIfNullOrEmpty(manager);
        ArgumentNullException.ThrowIfNull(modelType);

        var schema = FieldSchema.Root(modelType);
        var apiVersion = ApiVersionOf(result) ?? ApiVersionOf(current);
        var comparison = FieldComparer.Compare(current, result, schema);
        // Both sets are this comparison's own, used only here.
        var changed = StripMeta.ApplyInPlace(comparison.Changed);
        var removed = StripMeta.ApplyInPlace(comparison.Removed);

        var entries = ManagedFields.Read(live)
            .ConvertAll(e => e with { Fields = e.Fields.Difference(changed).Difference(removed) });
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
