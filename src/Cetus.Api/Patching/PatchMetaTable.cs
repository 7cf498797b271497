using k8s.Models;

namespace Cetus.Api.Patching;

/// <summary>
/// The <c>patchStrategy</c>/<c>patchMergeKey</c> struct tags of k8s.io/api (core/v1, apps/v1, batch/v1,
/// autoscaling/v2, policy/v1) and k8s.io/apimachinery meta/v1, keyed by the KubernetesClient model type
/// and the JSON field name. A field not listed has no tags: its lists are replaced whole.
/// Deliberately absent because upstream tags them atomic: tolerations, readinessGates, envFrom,
/// resizePolicy, resources.claims, taints, endpoints subsets.
/// </summary>
internal static class PatchMetaTable
{
    private static readonly Dictionary<(Type Type, string Field), PatchTag> Tags = Build();

    /// <summary>Every entry, for guard tests.</summary>
    public static IReadOnlyDictionary<(Type Type, string Field), PatchTag> All => Tags;

    /// <summary>The tags of one field; <see cref="PatchTag.None"/> when it has none.</summary>
    public static PatchTag Tag(Type modelType, string jsonName) =>
        Tags.TryGetValue((modelType, jsonName), out var tag) ? tag : PatchTag.None;

    private static Dictionary<(Type, string), PatchTag> Build()
    {
        var merge = (string? key) => new PatchTag(PatchStrategy.Merge, RetainKeys: false, key);
        var mergeRetainKeys = (string key) => new PatchTag(PatchStrategy.Merge, RetainKeys: true, key);
        var byType = merge("type");
        var byName = merge("name");
        var set = merge(null);

        return new Dictionary<(Type, string), PatchTag>
        {
            // meta/v1 ObjectMeta
            [(typeof(V1ObjectMeta), "finalizers")] = set,
            [(typeof(V1ObjectMeta), "ownerReferences")] = merge("uid"),

            // core/v1 PodSpec
            [(typeof(V1PodSpec), "volumes")] = mergeRetainKeys("name"),
            [(typeof(V1PodSpec), "initContainers")] = byName,
            [(typeof(V1PodSpec), "containers")] = byName,
            [(typeof(V1PodSpec), "ephemeralContainers")] = byName,
            [(typeof(V1PodSpec), "imagePullSecrets")] = byName,
            [(typeof(V1PodSpec), "hostAliases")] = merge("ip"),
            [(typeof(V1PodSpec), "topologySpreadConstraints")] = merge("topologyKey"),
            [(typeof(V1PodSpec), "schedulingGates")] = byName,
            [(typeof(V1PodSpec), "resourceClaims")] = mergeRetainKeys("name"),

            // core/v1 Container, and EphemeralContainerCommon which repeats its fields
            [(typeof(V1Container), "ports")] = merge("containerPort"),
            [(typeof(V1Container), "env")] = byName,
            [(typeof(V1Container), "volumeMounts")] = merge("mountPath"),
            [(typeof(V1Container), "volumeDevices")] = merge("devicePath"),
            [(typeof(V1EphemeralContainer), "ports")] = merge("containerPort"),
            [(typeof(V1EphemeralContainer), "env")] = byName,
            [(typeof(V1EphemeralContainer), "volumeMounts")] = merge("mountPath"),
            [(typeof(V1EphemeralContainer), "volumeDevices")] = merge("devicePath"),

            // core/v1 PodStatus
            [(typeof(V1PodStatus), "conditions")] = byType,
            [(typeof(V1PodStatus), "podIPs")] = merge("ip"),
            [(typeof(V1PodStatus), "hostIPs")] = merge("ip"),
            [(typeof(V1PodStatus), "resourceClaimStatuses")] = mergeRetainKeys("name"),

            // core/v1 Node
            [(typeof(V1NodeSpec), "podCIDRs")] = set,
            [(typeof(V1NodeStatus), "conditions")] = byType,
            [(typeof(V1NodeStatus), "addresses")] = byType,

            // core/v1 Service, ServiceAccount and the other conditions
            [(typeof(V1ServiceSpec), "ports")] = merge("port"),
            [(typeof(V1ServiceStatus), "conditions")] = byType,
            [(typeof(V1ServiceAccount), "secrets")] = byName,
            [(typeof(V1NamespaceStatus), "conditions")] = byType,
            [(typeof(V1PersistentVolumeClaimStatus), "conditions")] = byType,
            [(typeof(V1ReplicationControllerStatus), "conditions")] = byType,
            [(typeof(V1ComponentStatus), "conditions")] = byType,

            // apps/v1
            [(typeof(V1DeploymentSpec), "strategy")] = new PatchTag(PatchStrategy.Default, RetainKeys: true, MergeKey: null),
            [(typeof(V1DeploymentStatus), "conditions")] = byType,
            [(typeof(V1ReplicaSetStatus), "conditions")] = byType,
            [(typeof(V1StatefulSetStatus), "conditions")] = byType,
            [(typeof(V1DaemonSetStatus), "conditions")] = byType,

            // batch/v1, autoscaling/v2, policy/v1
            [(typeof(V1JobStatus), "conditions")] = byType,
            [(typeof(V2HorizontalPodAutoscalerStatus), "conditions")] = byType,
            [(typeof(V1PodDisruptionBudgetStatus), "conditions")] = byType,
        };
    }
}
