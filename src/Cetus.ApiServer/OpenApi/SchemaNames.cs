using System.Text.RegularExpressions;

namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// Maps a k8s.Models type to the upstream OpenAPI schema name (<c>V1Pod</c> → <c>io.k8s.api.core.v1.Pod</c>). The C#
/// names keep the version but drop the Go package, except where two packages share a name (<c>Eventsv1Event</c>), so
/// the package of the other types comes from the tables below; anything not listed is core.
/// </summary>
internal static partial class SchemaNames
{
    /// <summary>meta/v1 Time, an RFC 3339 timestamp.</summary>
    public const string Time = Meta + "Time";

    /// <summary>meta/v1 Patch, the body of every PATCH.</summary>
    public const string Patch = Meta + "Patch";

    /// <summary>resource.Quantity, e.g. <c>500m</c> or <c>1Gi</c>.</summary>
    public const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";

    /// <summary>intstr.IntOrString.</summary>
    public const string IntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

    private const string Meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    // Kinds (without the version prefix) that live outside the core package.
    private static readonly Dictionary<string, string> PackageByKind = Table(
        ("io.k8s.apimachinery.pkg.apis.meta", [
            "APIGroup", "APIGroupList", "APIResource", "APIResourceList", "APIVersions", "Condition", "DeleteOptions",
            "GroupVersionForDiscovery", "LabelSelector", "LabelSelectorRequirement", "ListMeta", "ManagedFieldsEntry",
            "FieldSelectorRequirement", "ObjectMeta", "OwnerReference", "Preconditions", "ServerAddressByClientCIDR", "ShardInfo", "Status",
            "StatusCause", "StatusDetails", "WatchEvent"]),
        ("io.k8s.api.apps", [
            "ControllerRevision", "ControllerRevisionList", "DaemonSet", "DaemonSetCondition", "DaemonSetList",
            "DaemonSetSpec", "DaemonSetStatus", "DaemonSetUpdateStrategy", "Deployment", "DeploymentCondition",
            "DeploymentList", "DeploymentSpec", "DeploymentStatus", "DeploymentStrategy", "ReplicaSet",
            "ReplicaSetCondition", "ReplicaSetList", "ReplicaSetSpec", "ReplicaSetStatus", "RollingUpdateDaemonSet",
            "RollingUpdateDeployment", "RollingUpdateStatefulSetStrategy", "StatefulSet", "StatefulSetCondition",
            "StatefulSetList", "StatefulSetOrdinals", "StatefulSetPersistentVolumeClaimRetentionPolicy",
            "StatefulSetSpec", "StatefulSetStatus", "StatefulSetUpdateStrategy"]),
        ("io.k8s.api.autoscaling", ["Scale", "ScaleSpec", "ScaleStatus"]),
        ("io.k8s.api.batch", [
            "CronJob", "CronJobList", "CronJobSpec", "CronJobStatus", "Job", "JobCondition", "JobList", "JobSpec",
            "JobStatus", "JobTemplateSpec", "PodFailurePolicy", "PodFailurePolicyOnExitCodesRequirement",
            "PodFailurePolicyOnPodConditionsPattern", "PodFailurePolicyRule", "SuccessPolicy", "SuccessPolicyRule",
            "UncountedTerminatedPods"]),
        ("io.k8s.api.rbac", [
            "AggregationRule", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBindingList", "ClusterRoleList",
            "PolicyRule", "Role", "RoleBinding", "RoleBindingList", "RoleList", "RoleRef"]),
        ("io.k8s.api.authorization", [
            "FieldSelectorAttributes", "LabelSelectorAttributes", "LocalSubjectAccessReview", "NonResourceAttributes",
            "NonResourceRule", "ResourceAttributes", "ResourceRule", "SelfSubjectAccessReview",
            "SelfSubjectAccessReviewSpec", "SelfSubjectRulesReview", "SelfSubjectRulesReviewSpec", "SubjectAccessReview",
            "SubjectAccessReviewSpec", "SubjectAccessReviewStatus", "SubjectRulesReviewStatus"]),
        ("io.k8s.api.authentication", [
            "SelfSubjectReview", "SelfSubjectReviewStatus", "TokenReview", "TokenReviewSpec", "TokenReviewStatus", "UserInfo"]),
        ("io.k8s.api.coordination", ["Lease", "LeaseCandidate", "LeaseCandidateList", "LeaseCandidateSpec", "LeaseList", "LeaseSpec"]),
        ("io.k8s.api.scheduling", ["PriorityClass", "PriorityClassList"]),
        ("io.k8s.api.policy", [
            "Eviction", "PodDisruptionBudget", "PodDisruptionBudgetList", "PodDisruptionBudgetSpec", "PodDisruptionBudgetStatus"]),
        ("io.k8s.api.certificates", [
            "CertificateSigningRequest", "CertificateSigningRequestCondition", "CertificateSigningRequestList",
            "CertificateSigningRequestSpec", "CertificateSigningRequestStatus"]));

    // Group prefixes of the C# names that carry one (Corev1Event); most Go packages are io.k8s.api.{group}.
    private static readonly Dictionary<string, string> PackageByGroupPrefix = new(StringComparer.Ordinal)
    {
        ["apiextensions"] = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
        ["apiregistration"] = "io.k8s.kube-aggregator.pkg.apis.apiregistration",
    };

    /// <summary>The schema name of a k8s.Models type.</summary>
    public static string For(Type type)
    {
        var name = type.Name;
        var grouped = GroupedName().Match(name);
        if (grouped.Success)
        {
            var group = grouped.Groups["group"].Value.ToLowerInvariant();
            var package = PackageByGroupPrefix.GetValueOrDefault(group, "io.k8s.api." + group);
            return $"{package}.{grouped.Groups["version"].Value}.{grouped.Groups["kind"].Value}";
        }

        var versioned = VersionedName().Match(name);
        if (!versioned.Success)
        {
            throw new InvalidOperationException($"{type} has no version in its name, so its OpenAPI schema name is unknown");
        }

        var kind = versioned.Groups["kind"].Value;
        var version = versioned.Groups["version"].Value.ToLowerInvariant();
        return $"{PackageByKind.GetValueOrDefault(kind, "io.k8s.api.core")}.{version}.{kind}";
    }

    private static Dictionary<string, string> Table(params (string Package, string[] Kinds)[] packages) =>
        packages.SelectMany(p => p.Kinds.Select(k => (Kind: k, p.Package))).ToDictionary(e => e.Kind, e => e.Package, StringComparer.Ordinal);

    [GeneratedRegex("^(?<group>[A-Z][a-z]+)(?<version>v[0-9]+(?:(?:alpha|beta)[0-9]+)?)(?<kind>[A-Z][A-Za-z0-9]*)$")]
    private static partial Regex GroupedName();

    [GeneratedRegex("^(?<version>V[0-9]+(?:(?:alpha|beta)[0-9]+)?)(?<kind>[A-Z][A-Za-z0-9]*)$")]
    private static partial Regex VersionedName();
}
