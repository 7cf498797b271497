using Cetus.Api.Scheme;
using k8s;
using k8s.Models;

namespace Cetus.Api.Resources;

/// <summary>The resources Cetus serves: one registration each (see docs/adding-a-resource.md).</summary>
public static class BuiltInResources
{
    private const string Core = "";
    private const string Apps = "apps";
    private const string Coordination = "coordination.k8s.io";
    private const string EventsGroup = "events.k8s.io";
    private const string Rbac = "rbac.authorization.k8s.io";
    private const string Authorization = "authorization.k8s.io";
    private const string Authentication = "authentication.k8s.io";
    private const string Scheduling = "scheduling.k8s.io";
    private const string Certificates = "certificates.k8s.io";
    private const string Policy = "policy";

    /// <summary>A registry holding every built-in resource.</summary>
    public static ResourceRegistry Create()
    {
        var coreEvents = Define<Corev1Event, Corev1EventList>(Core, "v1", "events", namespaced: true, shortNames: ["ev"], timeToLive: TimeSpan.FromHours(1), allowCreateOnUpdate: true);
        return new ResourceRegistry()
        .Register(Define<V1Namespace, V1NamespaceList>(Core, "v1", "namespaces", namespaced: false, shortNames: ["ns"], subresources: ["status", "finalize"]))
        .Register(Define<V1Pod, V1PodList>(Core, "v1", "pods", namespaced: true, shortNames: ["po"], categories: ["all"], subresources: ["status", "binding", "eviction", "log", "exec", "attach", "portforward"], returnDeletedObject: true))
        .Register(Define<V1Node, V1NodeList>(Core, "v1", "nodes", namespaced: false, shortNames: ["no"], subresources: ["status"]))
        .Register(Define<V1Service, V1ServiceList>(Core, "v1", "services", namespaced: true, shortNames: ["svc"], categories: ["all"], subresources: ["status"]))
        .Register(Define<V1Endpoints, V1EndpointsList>(Core, "v1", "endpoints", namespaced: true, shortNames: ["ep"]))
        .Register(Define<V1ConfigMap, V1ConfigMapList>(Core, "v1", "configmaps", namespaced: true, shortNames: ["cm"]))
        .Register(Define<V1Secret, V1SecretList>(Core, "v1", "secrets", namespaced: true))
        .Register(Define<V1ServiceAccount, V1ServiceAccountList>(Core, "v1", "serviceaccounts", namespaced: true, shortNames: ["sa"], subresources: ["token"]))
        .Register(coreEvents)
        .Register(Define<V1Deployment, V1DeploymentList>(Apps, "v1", "deployments", namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"]))
        .Register(Define<V1ReplicaSet, V1ReplicaSetList>(Apps, "v1", "replicasets", namespaced: true, shortNames: ["rs"], categories: ["all"], subresources: ["status", "scale"]))
        .Register(Define<V1Lease, V1LeaseList>(Coordination, "v1", "leases", namespaced: true, allowCreateOnUpdate: true))
        .Register(Define<Eventsv1Event, Eventsv1EventList>(EventsGroup, "v1", "events", namespaced: true, shortNames: ["ev"], timeToLive: TimeSpan.FromHours(1), allowCreateOnUpdate: true, storage: EventsV1.EventConversion.StoredAs(coreEvents)))
        .Register(Define<V1PriorityClass, V1PriorityClassList>(Scheduling, "v1", "priorityclasses", namespaced: false, shortNames: ["pc"]))
        .Register(Define<V1PodDisruptionBudget, V1PodDisruptionBudgetList>(Policy, "v1", "poddisruptionbudgets", namespaced: true, shortNames: ["pdb"], subresources: ["status"]))
        .Register(Define<V1Role, V1RoleList>(Rbac, "v1", "roles", namespaced: true))
        .Register(Define<V1RoleBinding, V1RoleBindingList>(Rbac, "v1", "rolebindings", namespaced: true))
        .Register(Define<V1ClusterRole, V1ClusterRoleList>(Rbac, "v1", "clusterroles", namespaced: false))
        .Register(Define<V1ClusterRoleBinding, V1ClusterRoleBindingList>(Rbac, "v1", "clusterrolebindings", namespaced: false))
        .Register(Define<V1CertificateSigningRequest, V1CertificateSigningRequestList>(Certificates, "v1", "certificatesigningrequests", namespaced: false, shortNames: ["csr"], subresources: ["status", "approval"]))
        .Register(Review<V1SelfSubjectAccessReview>(Authorization, "selfsubjectaccessreviews", namespaced: false))
        .Register(Review<V1LocalSubjectAccessReview>(Authorization, "localsubjectaccessreviews", namespaced: true))
        .Register(Review<V1SubjectAccessReview>(Authorization, "subjectaccessreviews", namespaced: false))
        .Register(Review<V1SelfSubjectRulesReview>(Authorization, "selfsubjectrulesreviews", namespaced: false))
        .Register(Review<V1SelfSubjectReview>(Authentication, "selfsubjectreviews", namespaced: false))
        .Register(Review<V1TokenReview>(Authentication, "tokenreviews", namespaced: false));
    }

    // A review is answered, never stored: create is its only verb.
    private static ResourceDefinition Review<T>(string group, string plural, bool namespaced)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var definition = Define<T, T>(group, "v1", plural, namespaced);
        return new ResourceDefinition
        {
            Group = definition.Group,
            Version = definition.Version,
            Kind = definition.Kind,
            Plural = definition.Plural,
            Namespaced = namespaced,
            Type = definition.Type,
            ListType = definition.Type,
            Strategy = definition.Strategy,
            Table = definition.Table,
            Verbs = ["create"],
            Virtual = true,
        };
    }

    private static ResourceDefinition Define<T, TList>(
        string group,
        string version,
        string plural,
        bool namespaced,
        string[]? shortNames = null,
        string[]? categories = null,
        string[]? subresources = null,
        TimeSpan? timeToLive = null,
        bool returnDeletedObject = false,
        bool allowCreateOnUpdate = false,
        SharedStorage? storage = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var kind = typeof(T).GetField("KubeKind")?.GetValue(null) as string ?? throw new InvalidOperationException($"{typeof(T)} has no KubeKind");
        return new ResourceDefinition
        {
            Group = group,
            Version = version,
            Kind = kind,
            Plural = plural,
            Namespaced = namespaced,
            Type = typeof(T),
            ListType = typeof(TList),
            ShortNames = shortNames ?? [],
            Categories = categories ?? [],
            Subresources = subresources ?? [],
            Strategy = Strategies.For<T>(),
            Table = Tables.For(typeof(T)),
            TimeToLive = timeToLive,
            ReturnDeletedObject = returnDeletedObject,
            Storage = storage,
            AllowCreateOnUpdate = allowCreateOnUpdate,
        };
    }
}
