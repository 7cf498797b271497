using System.Text.Json;
using System.Text.Json.Nodes;
using Cetus.Api.Scheme;

namespace Cetus.ApiServer.Discovery;

/// <summary>
/// The discovery documents kubectl reads to learn what the server serves: aggregated (apidiscovery.k8s.io/v2) and
/// legacy (APIVersions, APIGroupList, APIResourceList). Built once from the registry.
/// </summary>
public sealed class DiscoveryDocuments
{
    /// <summary>The Content-Type of an aggregated document; kubectl needs the parameters repeated exactly.</summary>
    public const string AggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    private readonly ResourceRegistry _registry;

    /// <summary>Builds every document.</summary>
    public DiscoveryDocuments(ResourceRegistry registry)
    {
        _registry = registry;
        AggregatedCore = Serialize(Aggregated(core: true));
        AggregatedGroups = Serialize(Aggregated(core: false));
        ApiGroupList = Serialize(GroupList());
        var lists = registry.GroupVersions().ToDictionary(
            gv => gv,
            gv => Serialize(ResourceList(gv.Group, gv.Version)));
        lists[(ResourceMetrics.MetricsApi.Group, ResourceMetrics.MetricsApi.Version)] = Serialize(ResourceMetrics.MetricsApi.ResourceList());
        ResourceLists = lists;
    }

    /// <summary>GET /api, aggregated.</summary>
    public byte[] AggregatedCore { get; }

    /// <summary>GET /apis, aggregated.</summary>
    public byte[] AggregatedGroups { get; }

    /// <summary>GET /apis, legacy.</summary>
    public byte[] ApiGroupList { get; }

    /// <summary>GET /api/v1 and /apis/{group}/{version}.</summary>
    public IReadOnlyDictionary<(string Group, string Version), byte[]> ResourceLists { get; }

    /// <summary>GET /api, legacy: the core versions and where clients reach the server.</summary>
    public static byte[] ApiVersions(string serverAddress) => Serialize(new JsonObject
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    });

    /// <summary>GET /apis/{group}, legacy.</summary>
    public byte[]? Group(string group)
    {
        if (group == ResourceMetrics.MetricsApi.Group)
        {
            return Serialize(ResourceMetrics.MetricsApi.GroupEntry(withKind: true));
        }

        var versions = _registry.GroupVersions().Where(gv => gv.Group == group).ToList();
        return versions.Count == 0 ? null : Serialize(GroupEntry(group, versions.Select(v => v.Version).ToList(), withKind: true));
    }

    private JsonObject Aggregated(bool core)
    {
        var items = new JsonArray();
        foreach (var group in _registry.GroupVersions().Where(gv => (gv.Group.Length == 0) == core).GroupBy(gv => gv.Group))
        {
            var versions = new JsonArray();
            foreach (var (g, version) in group)
            {
                var resources = new JsonArray();
                foreach (var definition in _registry.All.Where(d => d.Group == g && d.Version == version))
                {
                    resources.Add(AggregatedResource(definition));
                }

                versions.Add(new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }

            var metadata = new JsonObject { ["creationTimestamp"] = null };
            if (!core)
            {
                metadata["name"] = group.Key;
            }

            items.Add(new JsonObject { ["metadata"] = metadata, ["versions"] = versions });
        }

        if (!core)
        {
            // Served by the API server itself, not from the registry (as metrics-server's group upstream).
            items.Add(ResourceMetrics.MetricsApi.AggregatedGroup());
        }

        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/v2",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject AggregatedResource(ResourceDefinition definition)
    {
        var resource = new JsonObject
        {
            ["resource"] = definition.Plural,
            ["responseKind"] = Kind(definition.Group, definition.Version, definition.Kind),
            ["scope"] = definition.Namespaced ? "Namespaced" : "Cluster",
            ["singularResource"] = definition.Singular,
            ["verbs"] = Strings(definition.Verbs),
        };
        if (definition.ShortNames.Count > 0)
        {
            resource["shortNames"] = Strings(definition.ShortNames);
        }

        if (definition.Categories.Count > 0)
        {
            resource["categories"] = Strings(definition.Categories);
        }

        if (definition.Subresources.Count > 0)
        {
            var subresources = new JsonArray();
            foreach (var sub in definition.Subresources)
            {
                var (kind, verbs) = Subresource(definition, sub);
                subresources.Add(new JsonObject { ["subresource"] = sub, ["responseKind"] = kind, ["verbs"] = Strings(verbs) });
            }

            resource["subresources"] = subresources;
        }

        return resource;
    }

    private JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var group in _registry.GroupVersions().Where(gv => gv.Group.Length > 0).GroupBy(gv => gv.Group))
        {
            groups.Add(GroupEntry(group.Key, group.Select(g => g.Version).ToList(), withKind: false));
        }

        groups.Add(ResourceMetrics.MetricsApi.GroupEntry(withKind: false));

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    private static JsonObject GroupEntry(string group, List<string> versions, bool withKind)
    {
        var entry = new JsonObject();
        if (withKind)
        {
            entry["kind"] = "APIGroup";
            entry["apiVersion"] = "v1";
        }

        entry["name"] = group;
        entry["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v }).ToArray());
        entry["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] };
        return entry;
    }

    private JsonObject ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var definition in _registry.All.Where(d => d.Group == group && d.Version == version))
        {
            var entry = new JsonObject
            {
                ["name"] = definition.Plural,
                ["singularName"] = definition.Singular,
                ["namespaced"] = definition.Namespaced,
                ["kind"] = definition.Kind,
                ["verbs"] = Strings(definition.Verbs),
            };
            if (definition.ShortNames.Count > 0)
            {
                entry["shortNames"] = Strings(definition.ShortNames);
            }

            if (definition.Categories.Count > 0)
            {
                entry["categories"] = Strings(definition.Categories);
            }

            resources.Add(entry);
            foreach (var sub in definition.Subresources)
            {
                var (kind, verbs) = Subresource(definition, sub);
                var subEntry = new JsonObject
                {
                    ["name"] = $"{definition.Plural}/{sub}",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = definition.Namespaced,
                    ["kind"] = kind["kind"]!.GetValue<string>(),
                    ["verbs"] = Strings(verbs),
                };
                if (kind["group"]!.GetValue<string>() is { Length: > 0 } g)
                {
                    subEntry["group"] = g;
                    subEntry["version"] = kind["version"]!.GetValue<string>();
                }

                resources.Add(subEntry);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static (JsonObject Kind, string[] Verbs) Subresource(ResourceDefinition definition, string subresource) => subresource switch
    {
        "scale" => (Kind("autoscaling", "v1", "Scale"), ["get", "patch", "update"]),
        "binding" => (Kind(string.Empty, "v1", "Binding"), ["create"]),
        "eviction" => (Kind("policy", "v1", "Eviction"), ["create"]),
        "token" => (Kind("authentication.k8s.io", "v1", "TokenRequest"), ["create"]),
        "finalize" => (Kind(definition.Group, definition.Version, definition.Kind), ["update"]),
        "log" => (Kind(string.Empty, "v1", "Pod"), ["get"]),
        "exec" => (Kind(string.Empty, "v1", "PodExecOptions"), ["create", "get"]),
        "attach" => (Kind(string.Empty, "v1", "PodAttachOptions"), ["create", "get"]),
        "portforward" => (Kind(string.Empty, "v1", "PodPortForwardOptions"), ["create", "get"]),
        _ => (Kind(definition.Group, definition.Version, definition.Kind), ["get", "patch", "update"]),
    };

    private static JsonObject Kind(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    private static byte[] Serialize(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node);
}
