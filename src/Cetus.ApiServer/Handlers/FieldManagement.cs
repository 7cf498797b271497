using System.Text.Json.Nodes;
using Cetus.Api.Apply;
using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
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

    /// <summary>Returns <paramref name="item"/> with managedFields updated for a non-apply write by <paramref name="manager"/>.</summary>
    public static IKubernetesObject<V1ObjectMeta> RecordUpdate(ResourceRequest request, IKubernetesObject<V1ObjectMeta>? old, IKubernetesObject<V1ObjectMeta> item, string manager, DateTime now)
    {
        var definition = request.Definition;
        var live = old is null ? null : ToJson(old, definition.Type);
        var updated = ObjectMetadata.Guard(definition, () => ToJson(item, definition.Type));
        var metadata = updated["metadata"]!.AsObject();
        if (live is not null)
        {
            // A client's own managedFields in an update are not trusted: the stored ones are the record.
            metadata["managedFields"] = live["metadata"]?["managedFields"]?.DeepClone();
        }
        else
        {
            metadata.Remove("managedFields");
        }

        var entries = ObjectMetadata.Guard(definition, () => ServerSideApply.RecordUpdateManagedFields(live, updated, manager, definition.Type, now));
        // Only managedFields change: decode just those onto the item.
        item.Metadata.ManagedFields = entries is null
            ? null
            : KubeJson.Deserialize<List<V1ManagedFieldsEntry>>(System.Text.Encoding.UTF8.GetBytes(entries.ToJsonString()));
        return item;
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
}
