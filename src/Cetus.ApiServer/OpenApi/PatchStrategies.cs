namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// How strategic merge patch merges list and struct fields (upstream's <c>patchStrategy</c> and <c>patchMergeKey</c>
/// struct tags), published as <c>x-kubernetes-patch-strategy</c> and <c>x-kubernetes-patch-merge-key</c> so clients
/// that compute patches from OpenAPI merge containers by name instead of replacing the list.
/// </summary>
internal static class PatchStrategies
{
    private static readonly Dictionary<(string Type, string Field), (string Strategy, string? MergeKey)> ByField = new()
    {
        [("V1ObjectMeta", "finalizers")] = ("merge", null),
        [("V1ObjectMeta", "ownerReferences")] = ("merge", "uid"),
        [("V1PodSpec", "containers")] = ("merge", "name"),
        [("V1PodSpec", "initContainers")] = ("merge", "name"),
        [("V1PodSpec", "ephemeralContainers")] = ("merge", "name"),
        [("V1PodSpec", "volumes")] = ("merge,retainKeys", "name"),
        [("V1PodSpec", "imagePullSecrets")] = ("merge", "name"),
        [("V1PodSpec", "hostAliases")] = ("merge", "ip"),
        [("V1PodSpec", "topologySpreadConstraints")] = ("merge", "topologyKey"),
        [("V1PodSpec", "resourceClaims")] = ("merge,retainKeys", "name"),
        [("V1PodSpec", "schedulingGates")] = ("merge", "name"),
        [("V1Container", "env")] = ("merge", "name"),
        [("V1Container", "ports")] = ("merge", "containerPort"),
        [("V1Container", "volumeMounts")] = ("merge", "mountPath"),
        [("V1Container", "volumeDevices")] = ("merge", "devicePath"),
        [("V1EphemeralContainer", "env")] = ("merge", "name"),
        [("V1EphemeralContainer", "volumeMounts")] = ("merge", "mountPath"),
        [("V1EphemeralContainer", "volumeDevices")] = ("merge", "devicePath"),
        [("V1PodStatus", "conditions")] = ("merge", "type"),
        [("V1PodStatus", "podIPs")] = ("merge", "ip"),
        [("V1PodStatus", "hostIPs")] = ("merge", "ip"),
        [("V1NodeStatus", "conditions")] = ("merge", "type"),
        [("V1NodeStatus", "addresses")] = ("merge", "type"),
        [("V1NodeSpec", "podCIDRs")] = ("merge", null),
        [("V1NamespaceStatus", "conditions")] = ("merge", "type"),
        [("V1ServiceSpec", "ports")] = ("merge", "port"),
        [("V1ServiceStatus", "conditions")] = ("merge", "type"),
        [("V1ServiceAccount", "secrets")] = ("merge", "name"),
        [("V1DeploymentSpec", "strategy")] = ("retainKeys", null),
        [("V1DeploymentStatus", "conditions")] = ("merge", "type"),
        [("V1ReplicaSetStatus", "conditions")] = ("merge", "type"),
    };

    /// <summary>The strategy and merge key of a field, if it has a strategy.</summary>
    public static (string Strategy, string? MergeKey)? For(Type type, string jsonField) =>
        ByField.TryGetValue((type.Name, jsonField), out var rule) ? rule : null;
}
