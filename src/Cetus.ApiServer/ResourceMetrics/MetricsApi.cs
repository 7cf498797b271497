using System.Text.Json.Nodes;

namespace Cetus.ApiServer.ResourceMetrics;

/// <summary>
/// The metrics.k8s.io/v1beta1 group as discovery lists it (what metrics-server registers upstream): nodes
/// (NodeMetrics, cluster-scoped) and pods (PodMetrics, namespaced), get and list only. The group is served by the
/// API server itself (<see cref="MetricsEndpoint"/>), not stored, so it is not in the resource registry.
/// </summary>
public static class MetricsApi
{
    /// <summary>The API group.</summary>
    public const string Group = "metrics.k8s.io";

    /// <summary>The one version.</summary>
    public const string Version = "v1beta1";

    /// <summary>The apiVersion of its objects.</summary>
    public const string ApiVersion = Group + "/" + Version;

    private static readonly (string Plural, string Kind, bool Namespaced)[] Resources =
    [
        ("nodes", "NodeMetrics", false),
        ("pods", "PodMetrics", true),
    ];

    /// <summary>The group's entry in the aggregated (apidiscovery.k8s.io/v2) /apis document.</summary>
    public static JsonObject AggregatedGroup()
    {
        var resources = new JsonArray();
        foreach (var (plural, kind, namespaced) in Resources)
        {
            resources.Add(new JsonObject
            {
                ["resource"] = plural,
                ["responseKind"] = new JsonObject { ["group"] = Group, ["version"] = Version, ["kind"] = kind },
                ["scope"] = namespaced ? "Namespaced" : "Cluster",
                ["singularResource"] = string.Empty,
                ["verbs"] = Verbs(),
            });
        }

        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = Group, ["creationTimestamp"] = null },
            ["versions"] = new JsonArray(new JsonObject { ["version"] = Version, ["resources"] = resources, ["freshness"] = "Current" }),
        };
    }

    /// <summary>The group's entry in the legacy APIGroupList (and, with kind, the APIGroup of /apis/metrics.k8s.io).</summary>
    public static JsonObject GroupEntry(bool withKind)
    {
        var entry = new JsonObject();
        if (withKind)
        {
            entry["kind"] = "APIGroup";
            entry["apiVersion"] = "v1";
        }

        entry["name"] = Group;
        entry["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = ApiVersion, ["version"] = Version });
        entry["preferredVersion"] = new JsonObject { ["groupVersion"] = ApiVersion, ["version"] = Version };
        return entry;
    }

    /// <summary>The APIResourceList of /apis/metrics.k8s.io/v1beta1.</summary>
    public static JsonObject ResourceList()
    {
        var resources = new JsonArray();
        foreach (var (plural, kind, namespaced) in Resources)
        {
            resources.Add(new JsonObject
            {
                ["name"] = plural,
                ["singularName"] = string.Empty,
                ["namespaced"] = namespaced,
                ["kind"] = kind,
                ["verbs"] = Verbs(),
            });
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = ApiVersion, ["resources"] = resources };
    }

    private static JsonArray Verbs() => new("get", "list");
}
