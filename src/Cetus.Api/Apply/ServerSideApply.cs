using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>
/// Server-side apply and field ownership, after kube-apiserver's fieldmanager and structured-merge-diff: objects
/// are JSON, the schema comes from the model type's patch metadata, and the result carries
/// <c>metadata.managedFields</c> in the FieldsV1 format. Pure: no I/O and the clock is a parameter.
/// </summary>
public static partial class ServerSideApply
{
    /// <summary>
    /// Applies a configuration for a manager: the result is the live object with the configuration merged in,
    /// minus the fields this manager applied before, no longer applies and nobody else owns; the manager's
    /// Apply entry becomes exactly the configuration's fields. Fields it would change that other managers own
    /// are conflicts, unless <paramref name="force"/> takes them over.
    /// </summary>
    /// <param name="live">The stored object, with its managedFields; null when the apply creates it.</param>
    /// <param name="applied">The apply configuration the client sent.</param>
    /// <param name="manager">The fieldManager of the request.</param>
    /// <param name="force">Whether conflicts move ownership to <paramref name="manager"/> instead of failing.</param>
    /// <param name="modelType">The KubernetesClient model type of the resource, e.g. <c>typeof(V1Deployment)</c>.</param>
    /// <param name="now">The time recorded on the manager's entry when it changes.</param>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, Type modelType, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentException.ThrowIfNullOrEmpty(manager);
        ArgumentNullException.ThrowIfNull(modelType);

        var schema = FieldSchema.Root(modelType);
        var current = Detached(live);
        var entries = ManagedFields.Read(live);
        var config = Detached(applied);
        // Status is a reset field of the main resource: applying it there is accepted and ignored.
        config.Remove("status");

        var apiVersion = ApiVersionOf(config) ?? ApiVersionOf(current);
        var appliedSet = StripMeta.Apply(FieldSetBuilder.Build(config, schema));
        var merged = ApplyMerge.Merge(current, config, schema);
        var comparison = FieldComparer.Compare(current, merged, schema);
        var changed = StripMeta.Apply(comparison.Changed);
        var removed = StripMeta.Apply(comparison.Removed);

        var mine = entries.Find(e => e.SameIdentity(manager, ManagedFieldsEntry.Apply, apiVersion, ""));
        var others = entries.Where(e => !ReferenceEquals(e, mine)).ToList();
        var conflicts = Conflicts(others, changed);
        if (conflicts.Count > 0 && !force)
        {
            return new ApplyResult(null, conflicts);
        }

        // Forcing hands the changed fields over; fields the merge removed are nobody's any more.
        others = others.ConvertAll(e => e with { Fields = e.Fields.Difference(changed).Difference(removed) });

        var previous = mine?.Fields ?? new FieldSet();
        var owned = others.Aggregate(appliedSet, (all, e) => all.Union(e.Fields));
        FieldPruner.Prune(merged, previous.Difference(appliedSet), owned, schema);

        var objectChanged = !JsonNode.DeepEquals(current, merged);
        var time = mine is null || objectChanged || !previous.SetEquals(appliedSet) ? ManagedFields.FormatTime(now) : mine.Time;
        others.Add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.Apply, apiVersion, time, "", appliedSet));
        ManagedFields.Write(merged, others);
        return new ApplyResult(merged, []);
    }

    private static List<ApplyConflict> Conflicts(IEnumerable<ManagedFieldsEntry> others, FieldSet changed) =>
        others.SelectMany(e => e.Fields.Intersection(changed).Paths().Select(p => new ApplyConflict(e.Manager, PathElements.Describe(p))))
            .Distinct()
            .OrderBy(c => c.Manager, StringComparer.Ordinal)
            .ThenBy(c => c.Field, StringComparer.Ordinal)
            .ToList();

    // A copy without managedFields: ownership bookkeeping is never merged or compared as data.
    private static JsonObject Detached(JsonObject? obj)
    {
        var copy = obj is null ? new JsonObject() : (JsonObject)obj.DeepClone();
        ManagedFields.Strip(copy);
        return copy;
    }

    private static string? ApiVersionOf(JsonObject obj) =>
        obj["apiVersion"] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
