using k8s.Models;

namespace Cetus.Controllers.Tests;

/// <summary>Test objects.</summary>
internal static class Builders
{
    public const string Ns = "default";

    public static V1PodTemplateSpec Template(string image = "nginx:1.27", Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Labels = labels ?? new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
    };

    public static V1ReplicaSet Rs(string name, int replicas, V1PodTemplateSpec? template = null) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "ReplicaSet",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Uid = "uid-" + name, Generation = 1, ResourceVersion = "1", CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new V1ReplicaSetSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = template ?? Template(),
        },
        Status = new V1ReplicaSetStatus { Replicas = 0 },
    };

    public static V1Pod Pod(string name, Dictionary<string, string>? labels = null, V1ReplicaSet? owner = null, string phase = "Running", bool ready = false, string? node = "node-1", DateTime? created = null, DateTime? readySince = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = Ns,
            Uid = "uid-" + name,
            ResourceVersion = "1",
            Labels = labels ?? new Dictionary<string, string> { ["app"] = "web" },
            CreationTimestamp = created ?? new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            OwnerReferences = owner is null ? null : [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, Controller = true }],
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "app", Image = "nginx" }] },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = readySince ?? new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) }],
        },
    };

    public static V1Deployment Deploy(int replicas, V1PodTemplateSpec? template = null, string strategy = "RollingUpdate", IntOrString? maxSurge = null, IntOrString? maxUnavailable = null) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns, Uid = "uid-web", Generation = 1, ResourceVersion = "1", CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = template ?? Template(),
            Strategy = strategy == "Recreate"
                ? new V1DeploymentStrategy { Type = "Recreate" }
                : new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = maxSurge ?? "25%", MaxUnavailable = maxUnavailable ?? "25%" } },
            RevisionHistoryLimit = 10,
            ProgressDeadlineSeconds = 600,
        },
        Status = new V1DeploymentStatus(),
    };
}
