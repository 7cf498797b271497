using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// The default roles and bindings kube-apiserver creates at start-up (plugin/pkg/auth/authorizer/rbac/bootstrappolicy,
/// as of 1.32), each labelled <c>kubernetes.io/bootstrapping: rbac-defaults</c> and annotated
/// <c>rbac.authorization.kubernetes.io/autoupdate: "true"</c>. Missing ones are created; existing ones are left alone.
/// </summary>
internal static class BootstrapPolicy
{
    private const string Core = "";
    private const string Apps = "apps";
    private const string Authentication = "authentication.k8s.io";
    private const string Authorization = "authorization.k8s.io";
    private const string Autoscaling = "autoscaling";
    private const string Batch = "batch";
    private const string Certificates = "certificates.k8s.io";
    private const string Coordination = "coordination.k8s.io";
    private const string DiscoveryGroup = "discovery.k8s.io";
    private const string Events = "events.k8s.io";
    private const string Extensions = "extensions";
    private const string Networking = "networking.k8s.io";
    private const string NodeGroup = "node.k8s.io";
    private const string Policy = "policy";
    private const string Rbac = "rbac.authorization.k8s.io";
    private const string Storage = "storage.k8s.io";
    private const string MetricsGroup = ResourceMetrics.MetricsApi.Group;
    private const string KubeletClientSigner = "kubernetes.io/kube-apiserver-client-kubelet";
    private const string KubeletServingSigner = "kubernetes.io/kubelet-serving";

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "update", "patch", "delete", "deletecollection"];
    private static readonly string[] ReadWrite = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

    /// <summary>The default ClusterRoles.</summary>
    public static IReadOnlyList<V1ClusterRole> ClusterRoles() =>
    [
        Role("cluster-admin", null,
            Rule(["*"], ["*"], "*"),
            Urls(["*"], "*")),
        Role("system:discovery", null,
            Urls(["get"], "/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*")),
        Role("system:basic-user", null,
            Rule(["create"], [Authorization], "selfsubjectaccessreviews", "selfsubjectrulesreviews"),
            Rule(["create"], [Authentication], "selfsubjectreviews")),
        Role("system:public-info-viewer", null,
            Urls(["get"], "/livez", "/readyz", "/healthz", "/version", "/version/")),
        Role("system:service-account-issuer-discovery", null,
            Urls(["get"], "/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/")),
        Aggregate("admin", null, "rbac.authorization.k8s.io/aggregate-to-admin"),
        Aggregate("edit", "rbac.authorization.k8s.io/aggregate-to-admin", "rbac.authorization.k8s.io/aggregate-to-edit"),
        Aggregate("view", "rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-view"),
        Role("system:aggregate-to-admin", "rbac.authorization.k8s.io/aggregate-to-admin",
            Rule(["create"], [Authorization], "localsubjectaccessreviews"),
            Rule(ReadWrite, [Rbac], "roles", "rolebindings")),
        Role("system:aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-edit",
            Rule(Read, [Core], "pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"),
            Rule(["impersonate"], [Core], "serviceaccounts"),
            Rule(Write, [Core], "pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"),
            Rule(["create"], [Core], "pods/eviction"),
            Rule(Write, [Core], "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"),
            Rule(["create"], [Core], "serviceaccounts/token"),
            Rule(Write, [Apps], "statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale", "deployments/rollback", "replicasets", "replicasets/scale"),
            Rule(Write, [Autoscaling], "horizontalpodautoscalers"),
            Rule(Write, [Batch], "jobs", "cronjobs"),
            Rule(Write, [Extensions], "daemonsets", "deployments", "deployments/scale", "deployments/rollback", "ingresses", "replicasets", "replicasets/scale", "replicationcontrollers/scale", "networkpolicies"),
            Rule(Write, [Policy], "poddisruptionbudgets"),
            Rule(Write, [Networking], "networkpolicies", "ingresses")),
        Role("system:aggregate-to-view", "rbac.authorization.k8s.io/aggregate-to-view",
            Rule(Read, [Core], "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"),
            Rule(Read, [Core], "limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status", "namespaces/status", "replicationcontrollers/status", "pods/log"),
            Rule(Read, [Core], "namespaces"),
            Rule(Read, [DiscoveryGroup], "endpointslices"),
            Rule(Read, [Apps], "controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale", "daemonsets", "daemonsets/status", "deployments", "deployments/status", "deployments/scale", "replicasets", "replicasets/status", "replicasets/scale"),
            Rule(Read, [Autoscaling], "horizontalpodautoscalers", "horizontalpodautoscalers/status"),
            Rule(Read, [Batch], "jobs", "cronjobs", "cronjobs/status", "jobs/status"),
            Rule(Read, [Extensions], "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale", "networkpolicies"),
            Rule(Read, [Policy], "poddisruptionbudgets", "poddisruptionbudgets/status"),
            Rule(Read, [Networking], "networkpolicies", "ingresses", "ingresses/status")),
        // metrics-server's manifests add this role; Cetus serves metrics.k8s.io itself, so it is part of the bootstrap policy.
        AggregatedToAll(Role("system:aggregated-metrics-reader", "rbac.authorization.k8s.io/aggregate-to-view",
            Rule(Read, [MetricsGroup], "pods", "nodes"))),
        Role("system:kube-controller-manager", null,
            Rule(["create", "update", "patch"], [Core, Events], "events"),
            Rule(["create"], [Coordination], "leases"),
            Rule(["get", "update"], [Coordination], ["kube-controller-manager"], "leases"),
            Rule(["create"], [Core], "secrets", "serviceaccounts"),
            Rule(["delete"], [Core], "secrets"),
            Rule(["get"], [Core], "configmaps", "namespaces", "secrets", "serviceaccounts"),
            Rule(["update"], [Core], "secrets", "serviceaccounts"),
            Rule(["create"], [Authentication], "tokenreviews"),
            Rule(["create"], [Authorization], "subjectaccessreviews"),
            Rule(["list", "watch"], ["*"], "*"),
            Rule(["create"], [Core], "serviceaccounts/token")),
        // The controllers' own roles (upstream's controller_policy.go), for the controllers Cetus runs.
        Role("system:controller:deployment-controller", null,
            Rule(["get", "list", "watch", "update"], [Apps, Extensions], "deployments"),
            Rule(["update"], [Apps, Extensions], "deployments/status"),
            Rule(["update"], [Apps, Extensions], "deployments/finalizers"),
            Rule(["get", "list", "watch", "create", "update", "patch", "delete"], [Apps, Extensions], "replicasets"),
            Rule(["get", "list", "watch", "update"], [Core], "pods"),
            Rule(["create", "update", "patch"], [Core, Events], "events")),
        Role("system:controller:replicaset-controller", null,
            Rule(["get", "list", "watch", "update"], [Apps, Extensions], "replicasets"),
            Rule(["update"], [Apps, Extensions], "replicasets/status"),
            Rule(["update"], [Apps, Extensions], "replicasets/finalizers"),
            Rule(["list", "watch", "patch", "create", "delete"], [Core], "pods"),
            Rule(["create", "update", "patch"], [Core, Events], "events")),
        Role("system:controller:service-account-controller", null,
            Rule(["create"], [Core], "serviceaccounts"),
            Rule(["create", "update", "patch"], [Core, Events], "events")),
        Role("system:controller:generic-garbage-collector", null,
            Rule(["get", "list", "watch", "patch", "update", "delete"], ["*"], "*"),
            Rule(["create", "update", "patch"], [Core, Events], "events")),
        Role("system:controller:namespace-controller", null,
            Rule(["get", "list", "delete"], [Core], "namespaces"),
            Rule(["update"], [Core], "namespaces/finalize", "namespaces/status"),
            Rule(["get", "list", "delete", "deletecollection"], ["*"], "*")),
        Role("system:controller:certificate-controller", null,
            Rule(["delete", "get", "list", "watch"], [Certificates], "certificatesigningrequests"),
            Rule(["update"], [Certificates], "certificatesigningrequests/status", "certificatesigningrequests/approval"),
            Rule(["approve"], [Certificates], [KubeletClientSigner], "signers"),
            Rule(["sign"], [Certificates], ["kubernetes.io/legacy-unknown", "kubernetes.io/kube-apiserver-client", KubeletClientSigner, KubeletServingSigner], "signers"),
            Rule(["create"], [Authorization], "subjectaccessreviews"),
            Rule(["create", "update", "patch"], [Core, Events], "events")),
        Role("system:controller:disruption-controller", null,
            Rule(Read, [Extensions, Apps], "deployments"),
            Rule(Read, [Apps, Extensions], "replicasets"),
            Rule(Read, [Core], "replicationcontrollers"),
            Rule(Read, [Policy], "poddisruptionbudgets"),
            Rule(Read, [Apps], "statefulsets"),
            Rule(["update"], [Policy], "poddisruptionbudgets/status"),
            Rule(["get"], ["*"], "*/scale"),
            Rule(["create", "update", "patch"], [Core, Events], "events")),
        Role("system:controller:root-ca-cert-publisher", null,
            Rule(["create", "update"], [Core], "configmaps"),
            Rule(["create", "update", "patch"], [Core, Events], "events")),
        // Node TLS bootstrapping: a join token's user may ask for a node client certificate, and a node may renew its own.
        Role("system:node-bootstrapper", null,
            Rule(["create", "get", "list", "watch"], [Certificates], "certificatesigningrequests")),
        Role("system:certificates.k8s.io:certificatesigningrequests:nodeclient", null,
            Rule(["create"], [Certificates], "certificatesigningrequests/nodeclient")),
        Role("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", null,
            Rule(["create"], [Certificates], "certificatesigningrequests/selfnodeclient")),
        Role("system:certificates.k8s.io:kube-apiserver-client-approver", null,
            Rule(["approve"], [Certificates], ["kubernetes.io/kube-apiserver-client"], "signers")),
        Role("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", null,
            Rule(["approve"], [Certificates], [KubeletClientSigner], "signers")),
        // Cetus's approver also approves a node's own kubelet-serving requests (unlike upstream, like k3s), which the
        // CertificateApproval admission plugin lets it do only with approve on that signer. A role of its own rather
        // than a rule in certificate-controller's, so a cluster made before it gets it too (existing roles are kept).
        Role("cetus:kubelet-serving-approver", null,
            Rule(["approve"], [Certificates], [KubeletServingSigner], "signers")),
        Role("system:kube-scheduler", null,
            Rule(["create", "update", "patch"], [Core, Events], "events"),
            Rule(["create"], [Coordination], "leases"),
            Rule(["get", "update"], [Coordination], ["kube-scheduler"], "leases"),
            Rule(["delete", "get", "list", "watch"], [Core], "nodes"),
            Rule(["delete", "get", "list", "watch"], [Core], "pods"),
            Rule(["create"], [Core], "pods/binding", "bindings"),
            Rule(["patch", "update"], [Core], "pods/status"),
            Rule(Read, [Core], "replicationcontrollers", "services"),
            Rule(Read, [Apps, Extensions], "replicasets"),
            Rule(Read, [Apps], "statefulsets"),
            Rule(Read, [Policy], "poddisruptionbudgets"),
            Rule(Read, [Core], "persistentvolumeclaims", "persistentvolumes"),
            Rule(["create"], [Authentication], "tokenreviews"),
            Rule(["create"], [Authorization], "subjectaccessreviews"),
            Rule(Read, [Storage], "csinodes"),
            Rule(Read, [Core], "namespaces"),
            Rule(Read, [Storage], "csidrivers"),
            Rule(Read, [Storage], "csistoragecapacities")),
        Role("system:node", null,
            Rule(["create"], [Authentication], "tokenreviews"),
            Rule(["create"], [Authorization], "subjectaccessreviews", "localsubjectaccessreviews"),
            Rule(Read, [Core], "services"),
            Rule(["create", "get", "list", "watch"], [Core], "nodes"),
            Rule(["update", "patch"], [Core], "nodes/status"),
            Rule(["update", "patch"], [Core], "nodes"),
            Rule(["create", "update", "patch"], [Core, Events], "events"),
            Rule(Read, [Core], "pods"),
            Rule(["create", "delete"], [Core], "pods"),
            Rule(["update", "patch"], [Core], "pods/status"),
            Rule(["create"], [Core], "pods/eviction"),
            Rule(["get", "list", "watch"], [Core], "secrets", "configmaps"),
            Rule(["get"], [Core], "persistentvolumeclaims", "persistentvolumes"),
            Rule(["get"], [Core], "endpoints"),
            Rule(["create", "get", "list", "watch"], [Certificates], "certificatesigningrequests"),
            Rule(["get", "create", "update", "patch", "delete"], [Coordination], "leases"),
            Rule(["get"], [Storage], "volumeattachments"),
            Rule(["get", "update", "patch"], [Core], "persistentvolumeclaims/status"),
            Rule(["create"], [Core], "serviceaccounts/token"),
            Rule(["get", "watch", "list"], [Storage], "csidrivers"),
            Rule(["get", "create", "update", "patch", "delete"], [Storage], "csinodes"),
            Rule(["get", "list", "watch"], [NodeGroup], "runtimeclasses")),
    ];

    /// <summary>The default ClusterRoleBindings.</summary>
    public static IReadOnlyList<V1ClusterRoleBinding> ClusterRoleBindings() =>
    [
        Binding("cluster-admin", Group("system:masters")),
        Binding("system:discovery", Group("system:authenticated")),
        Binding("system:basic-user", Group("system:authenticated")),
        Binding("system:public-info-viewer", Group("system:authenticated"), Group("system:unauthenticated")),
        Binding("system:service-account-issuer-discovery", Group("system:serviceaccounts")),
        Binding("system:kube-controller-manager", User("system:kube-controller-manager")),
        Binding("system:kube-scheduler", User("system:kube-scheduler")),
        // Upstream binds these to each controller's service account (--use-service-account-credentials); until
        // Cetus issues service-account tokens, the controller manager acts for its controllers under its own name.
        Binding("system:controller:deployment-controller", User("system:kube-controller-manager")),
        Binding("system:controller:replicaset-controller", User("system:kube-controller-manager")),
        Binding("system:controller:service-account-controller", User("system:kube-controller-manager")),
        Binding("system:controller:generic-garbage-collector", User("system:kube-controller-manager")),
        Binding("system:controller:namespace-controller", User("system:kube-controller-manager")),
        Binding("system:controller:certificate-controller", User("system:kube-controller-manager")),
        Binding("system:controller:root-ca-cert-publisher", User("system:kube-controller-manager")),
        Binding("system:controller:disruption-controller", User("system:kube-controller-manager")),
        Binding("cetus:kubelet-serving-approver", User("system:kube-controller-manager")),
        // What kubeadm binds for joining nodes (kubeadm:kubelet-bootstrap, kubeadm:node-autoapprove-bootstrap and
        // kubeadm:node-autoapprove-certificate-rotation), for every bootstrap token rather than kubeadm's own group.
        Binding("cetus:kubelet-bootstrap", "system:node-bootstrapper", Group("system:bootstrappers")),
        Binding("cetus:node-autoapprove-bootstrap", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", Group("system:bootstrappers")),
        Binding("cetus:node-autoapprove-certificate-rotation", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", Group("system:nodes")),
        // Nodes are authorized by the Node authorizer upstream; the binding exists, bound to no one.
        Binding("system:node"),
    ];

    /// <summary>Creates the roles and bindings that are missing (another server may race us: 409 is fine).</summary>
    public static async Task EnsureAsync(ObjectStore objects, ResourceRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var roles = registry.Find(Rbac, "v1", "clusterroles")!;
        var bindings = registry.Find(Rbac, "v1", "clusterrolebindings")!;
        foreach (var role in ClusterRoles())
        {
            await BuiltInObjects.CreateIfMissingAsync(objects, roles, role, time, cancellationToken).ConfigureAwait(false);
        }

        foreach (var binding in ClusterRoleBindings())
        {
            await BuiltInObjects.CreateIfMissingAsync(objects, bindings, binding, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static V1ObjectMeta Metadata(string name, string? aggregateTo) => new()
    {
        Name = name,
        Labels = aggregateTo is null
            ? new Dictionary<string, string> { ["kubernetes.io/bootstrapping"] = "rbac-defaults" }
            : new Dictionary<string, string> { ["kubernetes.io/bootstrapping"] = "rbac-defaults", [aggregateTo] = "true" },
        Annotations = new Dictionary<string, string> { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    private static V1ClusterRole Role(string name, string? aggregateTo, params V1PolicyRule[] rules) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRole",
        Metadata = Metadata(name, aggregateTo),
        Rules = rules,
    };

    // Labelled for view, edit and admin at once, as upstream's metrics reader is.
    private static V1ClusterRole AggregatedToAll(V1ClusterRole role)
    {
        role.Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-edit"] = "true";
        role.Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-admin"] = "true";
        return role;
    }

    private static V1ClusterRole Aggregate(string name, string? aggregateTo, string selectLabel) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRole",
        Metadata = Metadata(name, aggregateTo),
        AggregationRule = new V1AggregationRule { ClusterRoleSelectors = [new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [selectLabel] = "true" } }] },
        Rules = [],
    };

    private static V1PolicyRule Rule(string[] verbs, string[] groups, params string[] resources) => new() { Verbs = verbs, ApiGroups = groups, Resources = resources };

    private static V1PolicyRule Rule(string[] verbs, string[] groups, string[] names, params string[] resources) =>
        new() { Verbs = verbs, ApiGroups = groups, Resources = resources, ResourceNames = names };

    private static V1PolicyRule Urls(string[] verbs, params string[] urls) => new() { Verbs = verbs, NonResourceURLs = urls };

    private static V1ClusterRoleBinding Binding(string role, params Rbacv1Subject[] subjects) => Binding(role, role, subjects);

    private static V1ClusterRoleBinding Binding(string name, string role, params Rbacv1Subject[] subjects) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRoleBinding",
        Metadata = Metadata(name, null),
        RoleRef = new V1RoleRef { ApiGroup = Rbac, Kind = "ClusterRole", Name = role },
        Subjects = subjects.Length == 0 ? null : subjects,
    };

    private static Rbacv1Subject Group(string name) => new() { ApiGroup = Rbac, Kind = "Group", Name = name };

    private static Rbacv1Subject User(string name) => new() { ApiGroup = Rbac, Kind = "User", Name = name };
}
